import type { Channel } from '../model/inbound-item.ts';
import type { ModerationCategory } from '../model/moderation-categories.ts';
import type { Policy } from '../policy/schema.ts';
import { linkContextOf } from '../policy/moderation.ts';
import { assessWithRules } from './rules.ts';

/**
 * An assessor answers one question: which of the policy's content categories
 * does this text breach? The rules tier answers at once; the Bedrock tier
 * (second-tier.ts) is asked only where the rules are unsure. The evaluation
 * script (bench/eval-moderation.ts) scores any assessor against a labelled set.
 */

export interface AssessInput {
  readonly text: string;
  readonly channel: Channel;
  readonly policy: Policy;
}

export interface Assessment {
  readonly categories: readonly ModerationCategory[];
  /** Which tier decided: `rules`, or `rules+model` when the second tier was asked. */
  readonly tier: string;
  /** Model usage, when the second tier was asked. */
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number };
}

export interface Assessor {
  readonly name: string;
  assess(input: AssessInput): Promise<Assessment>;
}

/** The categories the council's policy lists. */
export function listedCategories(policy: Policy): ModerationCategory[] {
  return policy.moderation.map((r) => r.category);
}

export const rulesAssessor: Assessor = {
  name: 'rules',
  assess: async ({ text, policy }) => {
    const listed = new Set(listedCategories(policy));
    const { findings } = assessWithRules(text, linkContextOf(policy));
    return { categories: findings.map((f) => f.category).filter((c) => listed.has(c)), tier: 'rules' };
  },
};
