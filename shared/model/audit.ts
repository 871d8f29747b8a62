import * as v from 'valibot';
import { Channel, FiniteNumber, Provider } from './inbound-item.ts';
import { Classification } from './decision.ts';

/**
 * The audit trail: append-only events, hash-chained per council, so an auditor
 * can prove that nothing was altered or removed. Personal data (sender, text)
 * lives only in the item's content record, never inside a chained event: events
 * carry a hash of it, so erasing personal data leaves the chain verifiable.
 */

export const AUDIT_EVENT_TYPES = [
  'received',
  'classified',
  'routed',
  'consent-requested',
  'consent-reminded',
  'consent-granted',
  'consent-declined',
  'consent-expired',
  'consent-ledger',
  'reply-sent',
  'reply-skipped',
  'delivery-failed',
  'dead-lettered',
  'personal-data-erased',
  /** A case opened for a formal item (type detected, statutory due date). */
  'case-opened',
  /** A case's state changed by a `#command` (or a signed link): type, clock, closed. */
  'case-updated',
  /** The clerk's answer arrived from an authenticated official address (who, channel, content hash). */
  'answer-received',
  /** The answer went to the resident's provider (deliver). */
  'answer-sent',
  /** The answer could not go on the item's channel (window closed, too long, unverified sender); the clerk was told. */
  'answer-not-sent',
  /** Mail to the item's reply address that was not an authenticated answer from the clerk or deputy: held, nothing sent. */
  'answer-held',
  // Data protection (shared/dataprotection/): no personal data, counts and case numbers only.
  'sar-exported',
  /** An erasure by sender: who, why, how many items and operational records; never who it was about. */
  'subject-erased',
  'hold-added',
  'hold-removed',
  'retention-swept',
  /** A page action (hide/unhide/delete/block) decided by the policy or asked for by the clerk's link, with its clause. */
  'page-action-requested',
  /** The Graph API carried out a page action. */
  'page-action',
] as const;
export const AuditEventType = v.picklist(AUDIT_EVENT_TYPES);
export type AuditEventType = v.InferOutput<typeof AuditEventType>;

export const CONSENT_STATUSES = ['not-needed', 'requested', 'reminded', 'granted', 'declined', 'expired'] as const;
export const ConsentStatus = v.picklist(CONSENT_STATUSES);
export type ConsentStatus = v.InferOutput<typeof ConsentStatus>;

/**
 * A type, not a check: no code validates a stored event with this schema, and
 * none should. v.record drops `__proto__`, `constructor` and `prototype` keys
 * from `data`, so an event read back through it could fail verification.
 */
export const AuditEvent = v.object({
  council: v.string(),
  /** Position in the council's chain, from 1, no gaps. */
  seq: FiniteNumber,
  /** Human reference of the item, e.g. `STL-2026-000042`. */
  ref: v.string(),
  type: AuditEventType,
  /** ISO 8601. */
  at: v.string(),
  itemId: v.string(),
  /** Event facts without personal data (rule ids, clauses, outbox ids, statuses, content hash). */
  data: v.record(v.string(), v.unknown()),
  /** sha256 hex of the previous event in this council's chain; 64 zeros for the first. */
  prevHash: v.string(),
  /** sha256 hex over the canonical JSON of every field above. */
  hash: v.string(),
});
export type AuditEvent = v.InferOutput<typeof AuditEvent>;

/** One per formal item: what auditors list and filter on. */
export const AuditSummary = v.object({
  ref: v.string(),
  council: v.string(),
  itemId: v.string(),
  channel: Channel,
  provider: Provider,
  classification: Classification,
  receivedAt: v.string(),
  /** YYYY-MM-DD (Europe/London) of receivedAt, for day-range queries. */
  day: v.string(),
  /** HMAC of the sender identity: lets auditors find one sender's items without storing who they are in the index. */
  senderHash: v.string(),
  consentStatus: ConsentStatus,
  /** ISO date after which the record may be deleted under the council's retention policy. */
  retainUntil: v.string(),
  /** Set when the item's personal data was erased (by request or by the retention sweep). */
  erased: v.optional(v.object({ at: v.string(), reason: v.string() })),
});
export type AuditSummary = v.InferOutput<typeof AuditSummary>;
