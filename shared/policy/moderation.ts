import type { ModerationCategory, ModerationFlag } from '../model/decision.ts';
import { assessWithRules, type LinkContext } from '../moderation/rules.ts';
import type { ModerationRule, Policy } from './schema.ts';

export type { ModerationRule, LinkContext };

/** A finding of the optional second tier (shared/moderation/bedrock.ts), passed in by classify. */
export interface ModelFinding {
  readonly category: ModerationCategory;
  /** The model's one-line reason; it may quote the resident, so it stays in the clerk's copy. */
  readonly reason: string;
}

/**
 * The moderation flags for `text` under the council's rules: one flag per
 * category that the policy lists and the rules tier (shared/moderation/rules.ts)
 * or the second tier found, with the rule's clause and action and up to three
 * short excerpts of what matched.
 */
export function detectModeration(
  text: string,
  rules: readonly ModerationRule[],
  context: LinkContext = { onTopicDomains: [] },
  modelFindings: readonly ModelFinding[] = [],
): ModerationFlag[] {
  if (rules.length === 0 || text.length === 0) return [];
  const { findings } = assessWithRules(text, context);
  const flags: ModerationFlag[] = [];
  for (const rule of rules) {
    const evidence =
      findings.find((f) => f.category === rule.category)?.evidence ??
      modelFindings.filter((f) => f.category === rule.category).map((f) => `model: ${f.reason}`);
    if (evidence.length > 0) flags.push({ category: rule.category, evidence: [...evidence], clause: rule.clause, action: rule.action });
  }
  return flags;
}

/** Hosts on topic for this council: its own mail domains and those its policy lists (moderationLinks). */
export function linkContextOf(policy: Policy): LinkContext {
  return { onTopicDomains: [...policy.contacts.officialDomains.domains, ...(policy.moderationLinks?.onTopicDomains ?? [])] };
}
