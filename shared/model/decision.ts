import * as v from 'valibot';
import { CLASSIFICATIONS } from './classifications.ts';
import { MODERATION_CATEGORIES } from './moderation-categories.ts';

export { CLASSIFICATIONS, MODERATION_CATEGORIES };

/**
 * What the policy engine decided about one InboundItem, and why. Every reason
 * and flag names the rule that fired and the council's own clause
 * (e.g. `withyham.txt §6.3`), so a clerk or auditor can check it against the
 * adopted policy.
 */

export const Classification = v.picklist(CLASSIFICATIONS);
export type Classification = v.InferOutput<typeof Classification>;

export const Reason = v.object({
  /** Stable rule id, e.g. `channel-formality`, `official-address`, `auto-submitted`. */
  rule: v.string(),
  /** The policy clause, e.g. `stilton.txt §12`, or `default: RFC 3834 §2` where the policy is silent. */
  clause: v.string(),
  /** One plain-English sentence for the clerk. */
  detail: v.string(),
});
export type Reason = v.InferOutput<typeof Reason>;

export const ModerationCategory = v.picklist(MODERATION_CATEGORIES);
export type ModerationCategory = v.InferOutput<typeof ModerationCategory>;

export const ModerationFlag = v.object({
  category: ModerationCategory,
  /** The words or patterns in the item that matched (short excerpts, never the whole text). */
  evidence: v.array(v.string()),
  clause: v.string(),
  /** The action the policy prescribes for this category. */
  action: v.string(),
});
export type ModerationFlag = v.InferOutput<typeof ModerationFlag>;

/** Keys of the policy's standard texts. */
export const TEXT_KEYS = [
  'notOfficialContact',
  'consentRequest',
  'consentReminder',
  'outOfOffice',
  'formalComplaintInvitation',
  'policyBreachNotice',
  'formalAcknowledgement',
] as const;
export const TextKey = v.picklist(TEXT_KEYS);
export type TextKey = v.InferOutput<typeof TextKey>;

export const Action = v.variant('type', [
  /** Write the immutable audit record (formal items, consent-ledger events, held items). */
  v.object({ type: v.literal('audit') }),
  /** Email the clerk; `hold` marks an item the clerk must check before acting on it. */
  v.object({ type: v.literal('route-to-clerk'), hold: v.optional(v.picklist(['unverified-sender', 'moderation'])) }),
  /** Send the data-consent form to the resident on the channel they used. */
  v.object({ type: v.literal('consent-request') }),
  /** Send one of the policy's standard texts to the resident on the same channel. */
  v.object({ type: v.literal('auto-reply'), textKey: TextKey, text: v.string() }),
  /** Record a consent-ledger fact (Mailchimp audience event, SMS STOP/START). */
  v.object({
    type: v.literal('consent-ledger'),
    change: v.picklist(['opt-in', 'opt-out', 'profile-update', 'address-change', 'cleaned', 'campaign', 'help']),
  }),
  /** Nothing to do beyond the minimal log entry. */
  v.object({ type: v.literal('none') }),
]);
export type Action = v.InferOutput<typeof Action>;

export const Decision = v.object({
  classification: Classification,
  /** Set when a formal-looking item is held for the clerk rather than trusted. */
  hold: v.optional(v.picklist(['unverified-sender', 'moderation'])),
  reasons: v.array(Reason),
  flags: v.array(ModerationFlag),
  actions: v.array(Action),
  /** Out of office hours: when the inbox is next monitored (ISO 8601, Europe/London offset). */
  nextMonitoredAt: v.optional(v.string()),
  /** Version of the policy that decided, for the audit trail. */
  policyVersion: v.string(),
});
export type Decision = v.InferOutput<typeof Decision>;
