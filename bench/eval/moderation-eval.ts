import * as z from 'zod/mini';
import { CHANNELS } from '../../shared/model/inbound-item.ts';
import { MODERATION_CATEGORIES, type ModerationCategory } from '../../shared/model/moderation-categories.ts';
import { rulesAssessor, type Assessor } from '../../shared/moderation/assessor.ts';
import { scoreModeration, type ModerationScore } from '../../shared/moderation/metrics.ts';
import { bedrockAssessorFromEnv } from '../../shared/moderation/second-tier.ts';
import { loadPolicy, PRESET_NAMES } from '../../shared/policy/load.ts';
import type { Policy } from '../../shared/policy/schema.ts';
import { detectModeration } from '../baseline/moderation-lexicon.ts';

/** One labelled item of test/fixtures/moderation-eval/*.json. */
const EvalItem = z.object({
  id: z.string(),
  /** `comment` is a Facebook Page comment. */
  channel: z.enum([...CHANNELS, 'comment']),
  council: z.enum(PRESET_NAMES),
  text: z.string(),
  labels: z.array(z.enum(MODERATION_CATEGORIES)),
  reason: z.optional(z.string()),
});
export type EvalItem = z.infer<typeof EvalItem>;

export type AssessorName = 'rules' | 'lexicon' | 'bedrock';

export function loadEvalSet(raw: string, source: string): EvalItem[] {
  const json = JSON.parse(raw) as unknown;
  const list = Array.isArray(json) ? json : (json as { items?: unknown }).items;
  const parsed = z.array(EvalItem).safeParse(list);
  if (!parsed.success)
    throw new Error(
      `${source}: not an evaluation set (${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')})`,
    );
  return parsed.data;
}

/** Today's lexicon before issue 15, kept as the baseline the rules are measured against. */
const lexiconAssessor: Assessor = {
  name: 'lexicon',
  assess: async ({ text, policy }) => ({ categories: detectModeration(text, policy.moderation).map((f) => f.category), tier: 'lexicon' }),
};

export function assessorByName(name: AssessorName, env: NodeJS.ProcessEnv = process.env): Assessor {
  if (name === 'rules') return rulesAssessor;
  if (name === 'lexicon') return lexiconAssessor;
  return bedrockAssessorFromEnv(env);
}

/**
 * The set is labelled against all eight categories of withyham.txt §6.11 /
 * stilton.txt §7, whichever council the item is for, so every assessor is
 * scored on all eight (a council that lists fewer simply acts on fewer).
 */
function withEveryCategory(policy: Policy): Policy {
  const moderation = MODERATION_CATEGORIES.map(
    (category) => policy.moderation.find((r) => r.category === category) ?? { category, clause: 'withyham.txt §6.11', action: 'flag' as const },
  );
  return { ...policy, moderation };
}

export interface EvalRow {
  readonly id: string;
  readonly text: string;
  readonly expected: readonly ModerationCategory[];
  readonly got: readonly ModerationCategory[];
}

export interface EvalSummary {
  readonly items: number;
  readonly microF1: number;
  readonly microPrecision: number;
  readonly microRecall: number;
  readonly neutralFalseAlarmRate: number;
  readonly perCategory: ModerationScore['perCategory'];
  readonly cost?: { readonly calls: number; readonly inputTokens: number; readonly outputTokens: number; readonly per1000Items: number };
}

export async function evaluateSet(
  items: readonly EvalItem[],
  name: AssessorName,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ score: ModerationScore; rows: EvalRow[]; summary: EvalSummary }> {
  const assessor = assessorByName(name, env);
  const rows: EvalRow[] = [];
  let calls = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const item of items) {
    const policy = withEveryCategory(loadPolicy(item.council));
    const channel = item.channel === 'comment' ? 'facebook-comment' : item.channel;
    const result = await assessor.assess({ text: item.text, channel, policy });
    if (result.usage) {
      calls++;
      inputTokens += result.usage.inputTokens;
      outputTokens += result.usage.outputTokens;
    }
    rows.push({ id: item.id, text: item.text, expected: item.labels, got: result.categories });
  }
  const score = scoreModeration(rows);
  const price = name === 'bedrock' && 'price' in assessor ? (assessor as { price: { input: number; output: number } }).price : undefined;
  const summary: EvalSummary = {
    items: items.length,
    microF1: score.micro.f1,
    microPrecision: score.micro.precision,
    microRecall: score.micro.recall,
    neutralFalseAlarmRate: score.neutral.rate,
    perCategory: score.perCategory,
    ...(price
      ? {
          cost: {
            calls,
            inputTokens,
            outputTokens,
            per1000Items: ((inputTokens * price.input + outputTokens * price.output) / 1000 / Math.max(1, items.length)) * 1000,
          },
        }
      : {}),
  };
  return { score, rows, summary };
}
