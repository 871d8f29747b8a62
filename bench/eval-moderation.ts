// `npm run eval:moderation [-- <set.json>] [--assessor rules|lexicon|bedrock] [--json] [--misses]`
// Scores a moderation assessor against a labelled set: precision, recall and F1
// per category, micro-F1 and the share of neutral items with any flag.
// Default set: test/fixtures/moderation-eval/heldout.json (never tune on it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateSet, loadEvalSet, type AssessorName } from './eval/moderation-eval.ts';
import { formatScore } from '../shared/moderation/metrics.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const USAGE = 'usage: npm run eval:moderation -- [set.json] [--assessor rules|lexicon|bedrock] [--json] [--misses]';
const ASSESSORS = ['rules', 'lexicon', 'bedrock'] as const;

function fail(message: string): never {
  process.stderr.write(`eval:moderation: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let path = join(root, 'test/fixtures/moderation-eval/heldout.json');
  let assessor: AssessorName = 'rules';
  let json = false;
  let misses = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--assessor') {
      const v = args[++i];
      if (!v || !(ASSESSORS as readonly string[]).includes(v)) fail(`--assessor takes one of ${ASSESSORS.join(', ')}`);
      assessor = v as AssessorName;
    } else if (a === '--json') json = true;
    else if (a === '--misses') misses = true;
    else if (a.startsWith('-')) fail(`unknown option ${a}`);
    else path = a;
  }
  if (!existsSync(path)) fail(`no evaluation set at ${path}`);
  if (misses && /heldout/i.test(path)) fail('--misses prints item texts; it is refused on a held-out set (tune on dev only)');
  const items = loadEvalSet(readFileSync(path, 'utf8'), path);
  const result = await evaluateSet(items, assessor);
  if (json) {
    process.stdout.write(`${JSON.stringify({ set: path.replace(root, ''), assessor, ...result.summary }, null, 2)}\n`);
    return;
  }
  const lines = formatScore(result.score, `moderation evaluation: ${items.length} items from ${path.replace(root, '')}, assessor ${assessor}`);
  if (result.summary.cost)
    lines.push(
      `model: ${result.summary.cost.calls} calls, ${result.summary.cost.inputTokens} input + ${result.summary.cost.outputTokens} output tokens, ≈ $${result.summary.cost.per1000Items.toFixed(3)} per 1,000 items`,
    );
  if (misses) {
    for (const r of result.rows) {
      const fp = r.got.filter((c) => !r.expected.includes(c));
      const fn = r.expected.filter((c) => !r.got.includes(c));
      if (fp.length || fn.length)
        lines.push(
          `${r.id}: ${fp.length ? `false ${fp.join(',')}` : ''}${fn.length ? ` missed ${fn.join(',')}` : ''} :: ${r.text.replace(/\s+/g, ' ').slice(0, 220)}`,
        );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:moderation: ${(error as Error).message}\n`);
  process.exit(1);
});
