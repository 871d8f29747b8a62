import { opsKeysErasedBy } from '../../shared/dataprotection/key-classes.ts';
import { AUDIT_PREFIX, OPS_PREFIX, under } from '../../shared/store/keys.ts';
import { WEBHOOKS, type FunctionId } from '../../shared/topology.ts';

/**
 * What each function may touch, in one reviewable table. The stack turns each
 * entry into IAM statements on named resources (no wildcard actions, index ARNs
 * listed one by one). Anything not listed is denied by default.
 */

/**
 * Partition-key prefixes in the audit table, from the stores' own key module
 * (shared/store/keys.ts): chained events live under `CHAIN#<council>`, the
 * HEAD mark under `CHAINHEAD#<council>`, recorded (pending) events under
 * `EVENTKEY#…`, and each item's summary and content under `ITEM#<ref>`.
 */
export const AUDIT_EVENT_KEY_PREFIX = AUDIT_PREFIX.chain;
export const AUDIT_HEAD_KEY_PREFIX = AUDIT_PREFIX.chainHead;
export const AUDIT_MARKER_KEY_PREFIX = AUDIT_PREFIX.recordedEvent;
export const AUDIT_SUMMARY_KEY_PREFIX = AUDIT_PREFIX.item;

export type AuditAccess =
  /** Read only (GetItem, Query): the digest function. */
  | 'read'
  /** Record events (PutItem on `EVENTKEY#…` only) and read; name them on the audit queue. */
  | 'record'
  /** `record`, and create each item's summary and content (PutItem on `ITEM#…`). */
  | 'record-items'
  /** `record`, and update summaries (UpdateItem on `ITEM#…`: consent status). */
  | 'record-and-update-summary'
  /**
   * The appender, the only role that can write chain keys: PutItem on
   * `CHAIN#…`, UpdateItem on `EVENTKEY#…` (noting the seq) and `CHAINHEAD#…`
   * (the HEAD mark), and reads. It cannot touch summaries or content.
   */
  | 'chain';

/** The dynamodb:LeadingKeys patterns PutItem and UpdateItem are limited to, per access level (empty: not granted). */
export function auditWritableKeys(access: AuditAccess): { put: string[]; update: string[] } {
  const pending = `${AUDIT_MARKER_KEY_PREFIX}*`;
  const items = `${AUDIT_SUMMARY_KEY_PREFIX}*`;
  switch (access) {
    case 'read':
      return { put: [], update: [] };
    case 'record':
      return { put: [pending], update: [] };
    case 'record-items':
      return { put: [pending, items], update: [] };
    case 'record-and-update-summary':
      return { put: [pending], update: [items] };
    case 'chain':
      return { put: [`${AUDIT_EVENT_KEY_PREFIX}*`], update: [pending, `${AUDIT_HEAD_KEY_PREFIX}*`] };
  }
}

export interface FunctionAccess {
  readonly sendInbound?: true;
  readonly sendOutbox?: true;
  /** Read/write on the operational table (dedupe, rate limits, counters, consent tracking). */
  readonly ops?: true;
  readonly audit?: AuditAccess;
  /** s3:GetObject on the raw-mail prefix. */
  readonly readMail?: true;
  /**
   * s3:GetObject and s3:DeleteObject on the Mandrill intake prefix (the POSTs
   * API Gateway stored), s3:PutObject on the raw-mail prefix (each mail's raw
   * MIME, kept as SES mail is).
   */
  readonly takeMandrillIntake?: true;
  /**
   * s3:ListBucket on the mail bucket, unconditionally: S3 answers GetObject of
   * a missing key with 403 AccessDenied, not 404 NoSuchKey, unless the caller
   * may list the bucket (an s3:prefix condition is not evaluated for that
   * check). For functions whose code treats a missing object as gone.
   */
  readonly listMailBucket?: true;
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
  /** kms:Sign with the audit signing key; write digests to the Object Lock bucket. */
  readonly signDigests?: true;
}

/** Every provider webhook verifies with a secret and enqueues; nothing else. */
const WEBHOOK_ACCESS: FunctionAccess = { sendInbound: true, secrets: true };

export const ACCESS: Record<FunctionId, FunctionAccess> = {
  ...(Object.fromEntries(WEBHOOKS.map((w) => [w.fn, WEBHOOK_ACCESS])) as Record<(typeof WEBHOOKS)[number]['fn'], FunctionAccess>),
  sesInbound: { sendInbound: true, readMail: true },
  // The REST API's S3 integration writes each Mandrill POST; the intake reads and deletes it, keeps each mail's raw MIME, enqueues.
  // listMailBucket: a repeated S3 notification finds its object already taken (NoSuchKey, not AccessDenied).
  mandrillIntake: { sendInbound: true, secrets: true, takeMandrillIntake: true, listMailBucket: true },
  smsInbound: { sendInbound: true },
  classify: { ops: true, audit: 'record-items', sendOutbox: true, secrets: true, council: true, keepBodies: true, invokeModerationModel: true },
  // readMail: the clerk's answer by email carries the attachments of their reply, read back from the raw mail;
  // listMailBucket: raw mail expires (30 days), and an expired reply is a permanent 'attachments-gone', not a retry.
  deliver: { ops: true, audit: 'record', sendMessages: true, secrets: true, council: true, readMail: true, listMailBucket: true, sendOutbox: true },
  consentForm: { ops: true, audit: 'record-and-update-summary', sendOutbox: true, secrets: true, council: true },
  moderationLink: { ops: true, audit: 'record', sendOutbox: true, secrets: true, council: true },
  auditAppender: { audit: 'chain' },
  // Erasure records 'personal-data-erased' / 'retention-swept' and updates the item's content and summary.
  retentionSweep: { audit: 'record-and-update-summary', council: true, deleteBodies: true },
  // sendOutbox: each digest is emailed to the auditors the policy lists (deliver sends; shared/store/digest-mail.ts).
  auditDigest: { audit: 'read', council: true, signDigests: true, sendOutbox: true },
  consentSchedule: { ops: true, audit: 'record-and-update-summary', sendOutbox: true, secrets: true, council: true },
  // Reads cases (ops) and consent summaries (audit Query); records nothing in the chain itself (deliver audits what it sends).
  clerkSchedule: { ops: true, audit: 'record', sendOutbox: true, council: true },
  // Reads and updates the case (ops), appends 'case-updated' to the chain, reads the link key.
  caseLink: { ops: true, audit: 'record', secrets: true, council: true },
};

export const AUDITOR_TABLE_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'] as const;

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

/** Reads every audit role has; the appender also batch-reads the pending records a batch names. */
export const AUDIT_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'] as const;
export const AUDIT_APPENDER_READ_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'] as const;

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
  /** PutItem: recorded (pending) events and legal holds; never chain keys. */
  auditPutKeys: [`${AUDIT_MARKER_KEY_PREFIX}*`, under(AUDIT_PREFIX.hold)],
  /** Append markers, item content/summary (tombstones), legal holds. */
  auditUpdatableKeys: [`${AUDIT_MARKER_KEY_PREFIX}*`, `${AUDIT_SUMMARY_KEY_PREFIX}*`, under(AUDIT_PREFIX.hold)],
  /** Every operational key class erasure deletes (shared/dataprotection/key-classes.ts): logs, consent, notes, reminders, thread keys, offences… */
  opsDeletableKeys: opsKeysErasedBy('delete'),
  /** Classify's claims, rewritten without the decision's wording (PutItem). */
  opsWritableKeys: [under(OPS_PREFIX.item)],
  /** Cases lose the reply target of an erased item; a day's themes lose its ids and example (UpdateItem). */
  opsUpdatableKeys: [under(OPS_PREFIX.case), under(OPS_PREFIX.theme)],
} as const;
