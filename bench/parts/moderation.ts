import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateSet, loadEvalSet, type EvalSummary } from '../eval/moderation-eval.ts';
import { buildConverseRequest, MODEL_PRICES, PUBLIC_CHANNELS } from '../../shared/moderation/second-tier.ts';
import { assessWithRules } from '../../shared/moderation/rules.ts';
import { linkContextOf } from '../../shared/policy/moderation.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import type { Policy } from '../../shared/policy/schema.ts';

/**
 * The bench's record of moderation: the held-out set scored for the rules and
 * for the old lexicon (`npm run eval:moderation`), and what the optional
 * Bedrock tier would cost per 1,000 items. The cost is an estimate from the
 * real request the hub would send (system prompt, tool schema, the item's
 * text) at ~4 characters per token and ~60 output tokens, at the pinned
 * model's list price; measure it against Bedrock with
 * `npm run eval:moderation -- --assessor bedrock` where credentials exist.
 */

export interface ModerationBench {
  readonly status: 'ok' | 'not-available';
  readonly set?: string;
  readonly rules?: EvalSummary;
  readonly lexicon?: EvalSummary;
  readonly target?: { readonly microF1: number; readonly neutralFalseAlarmRate: number; readonly pass: boolean };
  readonly bedrock?: {
    readonly modelId: string;
    readonly publicShare: number;
    readonly askedShareWhenUnsure: number;
    readonly usdPer1000ItemsWhenUnsure: number;
    readonly usdPer1000ItemsAlways: number;
    readonly note: string;
  };
}

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const OUTPUT_TOKENS = 60;

export async function runModeration(root: string): Promise<ModerationBench> {
  const path = join(root, 'test/fixtures/moderation-eval/heldout.json');
  if (!existsSync(path)) return { status: 'not-available' };
  const items = loadEvalSet(readFileSync(path, 'utf8'), path);
  const rules = (await evaluateSet(items, 'rules')).summary;
  const lexicon = (await evaluateSet(items, 'lexicon')).summary;
  const price = MODEL_PRICES[MODEL]!;
  let publicItems = 0;
  let asked = 0;
  let costUnsure = 0;
  let costAlways = 0;
  for (const item of items) {
    const channel = item.channel === 'comment' ? 'facebook-comment' : item.channel;
    if (!PUBLIC_CHANNELS.includes(channel)) continue;
    publicItems++;
    const policy: Policy = {
      ...loadPolicy(item.council),
      moderationModel: { enabled: true, modelId: MODEL, region: 'eu-central-1', when: 'unsure', timeoutMs: 3000, clause: 'bench' },
    };
    const request = JSON.stringify(buildConverseRequest(policy, policy.moderationModel!, item.text));
    const cost = ((request.length / 4) * price.input + OUTPUT_TOKENS * price.output) / 1000;
    costAlways += cost;
    if (assessWithRules(item.text, linkContextOf(policy)).unsure.length > 0) {
      asked++;
      costUnsure += cost;
    }
  }
  const per1000 = (usd: number) => Math.round((usd / items.length) * 1000 * 10_000) / 10_000;
  return {
    status: 'ok',
    set: 'test/fixtures/moderation-eval/heldout.json',
    rules,
    lexicon,
    target: { microF1: 0.7, neutralFalseAlarmRate: 0.03, pass: rules.microF1 >= 0.7 && rules.neutralFalseAlarmRate <= 0.03 },
    bedrock: {
      modelId: MODEL,
      publicShare: publicItems / items.length,
      askedShareWhenUnsure: asked / items.length,
      usdPer1000ItemsWhenUnsure: per1000(costUnsure),
      usdPer1000ItemsAlways: per1000(costAlways),
      note: 'Estimated from the request the hub sends (chars/4 tokens in, 60 out) at the list price; only public items (comments, Messenger) are ever sent.',
    },
  };
}
