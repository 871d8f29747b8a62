import * as z from 'zod/mini';
import { CLASSIFICATIONS } from './classifications.ts';
import { MODERATION_CATEGORIES } from './moderation-categories.ts';

export { CLASSIFICATIONS, MODERATION_CATEGORIES };

/**
 * What the policy engine decided about one InboundItem, and why. Every reason
 * and flag names the rule that fired and the council's own clause
 * (e.g. `withyham.txt §6.3`), so a clerk or auditor can check it against the
 * adopted policy.
 */

export const Classification = z.enum(CLASSIFICATIONS);
export type Classification = z.infer<typeof Classification>;

export const Reason = z.object({
  /** Stable rule id, e.g. `channel-formality`, `official-address`, `auto-submitted`. */
  rule: z.string(),
  /** The policy clause, e.g. `stilton.txt §12`, or `default: RFC 3834 §2` where the policy is silent. */
  clause: z.string(),
  /** One plain-English sentence for the clerk. */
  detail: z.string(),
});
export type Reason = z.infer<typeof Reason>;

export const ModerationCategory = z.enum(MODERATION_CATEGORIES);
export type ModerationCategory = z.infer<typeof ModerationCategory>;

export const ModerationFlag = z.object({
  category: ModerationCategory,
  /** The words or patterns in the item that matched (short excerpts, never the whole text). */
  evidence: z.array(z.string()),
  clause: z.string(),
  /** The action the policy prescribes for this category. */
  action: z.string(),
});
export type ModerationFlag = z.infer<typeof ModerationFlag>;

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
export const TextKey = z.enum(TEXT_KEYS);
export type TextKey = z.infer<typeof TextKey>;

export const Action = z.discriminatedUnion('type', [
  /** Write the immutable audit record (formal items, consent-ledger events, held items). */
  z.object({ type: z.literal('audit') }),
  /** Email the clerk; `hold` marks an item the clerk must check before acting on it. */
  z.object({ type: z.literal('route-to-clerk'), hold: z.optional(z.enum(['unverified-sender', 'moderation'])) }),
  /** Send the data-consent form to the resident on the channel they used. */
  z.object({ type: z.literal('consent-request') }),
  /** Send one of the policy's standard texts to the resident on the same channel. */
  z.object({ type: z.literal('auto-reply'), textKey: TextKey, text: z.string() }),
  /** Record a consent-ledger fact (Mailchimp audience event, SMS STOP/START). */
  z.object({
    type: z.literal('consent-ledger'),
    change: z.enum(['opt-in', 'opt-out', 'profile-update', 'address-change', 'cleaned', 'campaign', 'help']),
  }),
  /** Nothing to do beyond the minimal log entry. */
  z.object({ type: z.literal('none') }),
]);
export type Action = z.infer<typeof Action>;

export const Decision = z.object({
  classification: Classification,
  /** Set when a formal-looking item is held for the clerk rather than trusted. */
  hold: z.optional(z.enum(['unverified-sender', 'moderation'])),
  reasons: z.array(Reason),
  flags: z.array(ModerationFlag),
  actions: z.array(Action),
  /** Out of office hours: when the inbox is next monitored (ISO 8601, Europe/London offset). */
  nextMonitoredAt: z.optional(z.string()),
  /** Version of the policy that decided, for the audit trail. */
  policyVersion: z.string(),
});
export type Decision = z.infer<typeof Decision>;
