import * as z from 'zod/mini';
import { Channel, Provider } from './inbound-item.ts';
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
export const AuditEventType = z.enum(AUDIT_EVENT_TYPES);
export type AuditEventType = z.infer<typeof AuditEventType>;

export const CONSENT_STATUSES = ['not-needed', 'requested', 'reminded', 'granted', 'declined', 'expired'] as const;
export const ConsentStatus = z.enum(CONSENT_STATUSES);
export type ConsentStatus = z.infer<typeof ConsentStatus>;

export const AuditEvent = z.object({
  council: z.string(),
  /** Position in the council's chain, from 1, no gaps. */
  seq: z.number(),
  /** Human reference of the item, e.g. `STL-2026-000042`. */
  ref: z.string(),
  type: AuditEventType,
  /** ISO 8601. */
  at: z.string(),
  itemId: z.string(),
  /** Event facts without personal data (rule ids, clauses, outbox ids, statuses, content hash). */
  data: z.record(z.string(), z.unknown()),
  /** sha256 hex of the previous event in this council's chain; 64 zeros for the first. */
  prevHash: z.string(),
  /** sha256 hex over the canonical JSON of every field above. */
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** One per formal item: what auditors list and filter on. */
export const AuditSummary = z.object({
  ref: z.string(),
  council: z.string(),
  itemId: z.string(),
  channel: Channel,
  provider: Provider,
  classification: Classification,
  receivedAt: z.string(),
  /** YYYY-MM-DD (Europe/London) of receivedAt, for day-range queries. */
  day: z.string(),
  /** HMAC of the sender identity: lets auditors find one sender's items without storing who they are in the index. */
  senderHash: z.string(),
  consentStatus: ConsentStatus,
  /** ISO date after which the record may be deleted under the council's retention policy. */
  retainUntil: z.string(),
  /** Set when the item's personal data was erased (by request or by the retention sweep). */
  erased: z.optional(z.object({ at: z.string(), reason: z.string() })),
});
export type AuditSummary = z.infer<typeof AuditSummary>;
