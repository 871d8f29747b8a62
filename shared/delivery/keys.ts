import { OPS_PREFIX } from '../store/keys.ts';

/** The ops record that makes delivery idempotent (see deliver.ts). Kept apart so the consent sweep can read it cheaply. */
export const sentKey = (outboxId: string): string => `${OPS_PREFIX.sent}${outboxId}`;
