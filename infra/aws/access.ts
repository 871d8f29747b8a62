import { WEBHOOKS, type FunctionId } from '../../shared/topology.ts';

/**
 * What each function may touch, in one reviewable table. The stack turns each
 * entry into IAM statements on named resources (no wildcard actions, index ARNs
 * listed one by one). Anything not listed is denied by default.
 */

/**
 * Partition-key prefixes in the audit table (shared/store/audit-store.ts):
 * chained events live under `CHAIN#<council>` and may never be updated or
 * deleted by a pipeline role; an append's idempotency marker (`EVENTKEY#…`)
 * and the per-item summary (`ITEM#<ref>`, consent status) may be updated.
 */
export const AUDIT_EVENT_KEY_PREFIX = 'CHAIN#';
export const AUDIT_MARKER_KEY_PREFIX = 'EVENTKEY#';
export const AUDIT_SUMMARY_KEY_PREFIX = 'ITEM#';

export type AuditAccess =
  /** Append events and read: PutItem, GetItem, Query; UpdateItem only on `EVENTKEY#…` markers (dynamodb:LeadingKeys). No DeleteItem. */
  | 'append'
  /** `append` plus UpdateItem on `ITEM#…` summaries (consent status). */
  | 'append-and-update-summary';

/** The dynamodb:LeadingKeys patterns UpdateItem is limited to, per access level. */
export function auditUpdatableKeys(access: AuditAccess): string[] {
  return access === 'append' ? [`${AUDIT_MARKER_KEY_PREFIX}*`] : [`${AUDIT_MARKER_KEY_PREFIX}*`, `${AUDIT_SUMMARY_KEY_PREFIX}*`];
}

export interface FunctionAccess {
  readonly sendInbound?: true;
  readonly sendOutbox?: true;
  /** Read/write on the operational table (dedupe, rate limits, counters, consent tracking). */
  readonly ops?: true;
  readonly audit?: AuditAccess;
  /** s3:GetObject on the raw-mail prefix. */
  readonly readMail?: true;
  /** s3:PutObject on the content prefix of the raw-mail bucket: bodies too large for a DynamoDB record. */
  readonly keepBodies?: true;
  /** s3:DeleteObject on the content prefix: erasing such a body with its record (the retention sweep). */
  readonly deleteBodies?: true;
  /** ses:SendEmail/SendRawEmail on the domain identity and configuration set; sms-voice:SendTextMessage. */
  readonly sendMessages?: true;
  /** Secrets Manager read of the provider secret, through the Parameters and Secrets extension. */
  readonly secrets?: true;
  /** Gets HUB_COUNCIL and, for a custom policy file, the file in its bundle. */
  readonly council?: true;
  /** bedrock:InvokeModel (Converse) on the one model the policy pins, in its region; only when the council opts in (moderationModel). */
  readonly invokeModerationModel?: true;
}

/** Every provider webhook verifies with a secret and enqueues; nothing else. */
const WEBHOOK_ACCESS: FunctionAccess = { sendInbound: true, secrets: true };

export const ACCESS: Record<FunctionId, FunctionAccess> = {
  ...(Object.fromEntries(WEBHOOKS.map((w) => [w.fn, WEBHOOK_ACCESS])) as Record<(typeof WEBHOOKS)[number]['fn'], FunctionAccess>),
  sesInbound: { sendInbound: true, readMail: true },
  smsInbound: { sendInbound: true },
  classify: { ops: true, audit: 'append', sendOutbox: true, secrets: true, council: true, keepBodies: true, invokeModerationModel: true },
  deliver: { ops: true, audit: 'append', sendMessages: true, secrets: true, council: true },
  consentForm: { ops: true, audit: 'append-and-update-summary', sendOutbox: true, secrets: true, council: true },
  moderationLink: { ops: true, audit: 'append', sendOutbox: true, secrets: true, council: true },
  consentSchedule: { ops: true, audit: 'append-and-update-summary', sendOutbox: true, secrets: true, council: true },
  // Erasure is an append ('personal-data-erased', 'retention-swept') plus UpdateItem on the item's content and summary.
  retentionSweep: { audit: 'append-and-update-summary', council: true, deleteBodies: true },
};

export const AUDITOR_TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
] as const;

export const OPS_TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
] as const;

export const AUDIT_APPEND_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'] as const;

/**
 * The data protection officer role (infra/aws/dpo-role.ts): what `hub sar
 * export`, `hub erase` and `hub hold` need (shared/dataprotection/). No
 * DeleteItem on the audit table and no update of chained events (`CHAIN#…`):
 * erasure appends an event and updates the item's own records.
 */
export const DPO_ACCESS = {
  auditRead: ['dynamodb:GetItem', 'dynamodb:Query'],
  /** bySender finds a person's items; byReference an item's events. */
  auditIndexes: ['bySender', 'byReference'],
  /** Append markers, item content/summary (tombstones), legal holds. */
  auditUpdatableKeys: [`${AUDIT_MARKER_KEY_PREFIX}*`, `${AUDIT_SUMMARY_KEY_PREFIX}*`, 'HOLD#*'],
  /** Minimal logs, consent per matter, auto-reply records, consent reminders, thread keys (shared/dataprotection/ops-records.ts). */
  opsDeletableKeys: ['LOG#*', 'CONSENT#*', 'AUTOREPLY#*', 'DUE#*', 'THREAD#*'],
  /** Classify's claims, rewritten without the decision's wording. */
  opsWritableKeys: ['ITEM#*'],
  /** Cases lose the reply target of an erased item. */
  opsUpdatableKeys: ['CASE#*'],
} as const;
