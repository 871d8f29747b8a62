import * as v from 'valibot';
import { Channel, FiniteNumber, Provider } from './inbound-item.ts';

/**
 * Everything that leaves the hub goes through the outbox queue as one of
 * these, so a provider outage delays a message and never loses it. `id` is
 * deterministic (item id + kind), which makes every send idempotent.
 */

export const OUTBOX_KINDS = [
  'auto-reply',
  'clerk-routing',
  'consent-request',
  'consent-reminder',
  'consent-outcome',
  'complaint-invitation',
  /** The clerk's answer (by email to the reply address) on the resident's channel. */
  'clerk-answer',
  /** Tells the clerk something about their answer or a case (held, not deliverable, unknown command). */
  'clerk-notice',
  /** A statutory deadline is near (5 working days, 1 working day, the day). */
  'case-reminder',
  /** The daily digest to the clerk. */
  'clerk-digest',
  /** Hide, unhide, delete or block on the Facebook Page (shared/moderation/page-outbox.ts). */
  'page-action',
  /** The policy's "A post breaching the Council's Social Media Policy has been removed" under the post. */
  'public-note',
  /** The clerk's one alert that a channel's daily outbound limit was reached (shared/pipeline/outbound-budget.ts). */
  'budget-alert',
  /** A signed audit digest to an auditor the policy lists (shared/store/digest-mail.ts). */
  'audit-digest',
] as const;
export const OutboxKind = v.picklist(OUTBOX_KINDS);
export type OutboxKind = v.InferOutput<typeof OutboxKind>;

export const OutboxMessage = v.object({
  schemaVersion: v.literal(1),
  id: v.string(),
  kind: OutboxKind,
  /** Channel the message goes out on (the clerk is always reached by email). */
  channel: Channel,
  /** PSID, comment id, email address or E.164 number. */
  to: v.string(),
  /** Provider the item came in on; SMS is answered through the same one (Twilio or End User Messaging). */
  provider: v.optional(Provider),
  /** Our identity the resident wrote to (SMS: our number), used as the sender where the provider needs one. */
  from: v.optional(v.string()),
  council: v.string(),
  itemId: v.string(),
  /** Audit reference, for formal items. */
  ref: v.optional(v.string()),
  subject: v.optional(v.string()),
  text: v.string(),
  html: v.optional(v.string()),
  /** Email threading and the clerk's Reply-To. */
  inReplyTo: v.optional(v.string()),
  references: v.optional(v.array(v.string())),
  replyTo: v.optional(v.string()),
  /** The clerk's answer by email: forward the attachments of this raw mail (the clerk's reply, in the mail store). */
  attachmentsFrom: v.optional(v.object({ key: v.string(), count: FiniteNumber })),
  /** The clerk's answer: who to tell if the provider refuses it or it cannot go after all (deliver). */
  notifyOnFailure: v.optional(v.string()),
  /** Display name on From (the council's name on the clerk's answers). */
  fromName: v.optional(v.string()),
  /** Marks automatic mail (RFC 3834 `Auto-Submitted: auto-replied`). */
  autoSubmitted: v.optional(v.boolean()),
  /** Messenger: when the resident last wrote (the 24-hour window is counted from it); Facebook comment: when they commented (7-day Private Reply window). */
  lastUserMessageAt: v.optional(v.string()),
  /** kind page-action: what to do to the comment in `to`, and why. */
  pageAction: v.optional(
    v.object({
      action: v.picklist(['hide', 'unhide', 'delete', 'block']),
      /** Facebook user id of the comment's author (block only). */
      authorId: v.optional(v.string()),
      clause: v.string(),
      categories: v.array(v.string()),
      /** The policy did it at once, or the clerk asked through a link. */
      by: v.picklist(['policy', 'clerk']),
    }),
  ),
  createdAt: v.string(),
});
export type OutboxMessage = v.InferOutput<typeof OutboxMessage>;
