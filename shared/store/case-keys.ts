import { OPS_INDEX, OPS_PREFIX } from './keys.ts';

/** Key layout of case records in the ops table (shared/store/case-store.ts), also used by the stack's auditor grant. */
export const CASE_KEY_PREFIX = OPS_PREFIX.case;
/** Partition of the byDue index under which every case is listed (sort key: received time). */
export const CASE_LIST_KEY = OPS_INDEX.cases;
