// `npm run eval:requests [-- --sets dev,dev2] [--misses] [--write-report]`: precision/recall of
// statutory-request detection on the labelled sets, each set and category
// apart, with counts. `--misses` lists the wrong items of the tuning sets (dev,
// dev2) with the rule that fired; heldout is only ever scored, never listed.
// `--write-report` puts the figures in bench/report.json's requestDetection
// (what `npm run bench` writes there), leaving the rest of the report alone.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectRequests } from '../shared/cases/detect.ts';
import {
  loadSet,
  REQUEST_SETS,
  type RequestSetName,
  replaceRequestsLines,
  requestsTable,
  runRequestsEval,
  scoreSet,
  TUNING_SETS,
} from './parts/requests-eval.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const setsArg = process.argv.indexOf('--sets');
const names = (setsArg > 0 ? (process.argv[setsArg + 1] ?? '').split(',') : [...REQUEST_SETS]) as RequestSetName[];
const unknown = names.filter((n) => !REQUEST_SETS.includes(n));
if (unknown.length) {
  process.stderr.write(`unknown set ${unknown.join(', ')}; the sets are ${REQUEST_SETS.join(', ')}\n`);
  process.exit(2);
}
const result = runRequestsEval(root, names);
process.stdout.write(`${requestsTable(result).join('\n')}\n`);
if (process.argv.includes('--misses')) {
  for (const name of names.filter((n) => TUNING_SETS.includes(n))) {
    const items = loadSet(root, name) ?? [];
    const byId = new Map(items.map((i) => [i.id, i]));
    for (const m of scoreSet(name, items).misses) {
      const item = byId.get(m.id)!;
      const fired = detectRequests(item.subject ? `${item.subject}\n${item.text}` : item.text).find((d) => d.type === m.type);
      process.stdout.write(`  ${name} ${m.kind} ${m.type} ${m.id}${fired ? ` [${fired.rule}: "${fired.evidence}"]` : ''}\n    ${JSON.stringify(item.text)}\n`);
    }
  }
}
if (process.argv.includes('--write-report')) {
  const path = join(root, 'bench/report.json');
  const report = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  report.requestDetection = {
    ...result,
    generatedAt: new Date().toISOString(),
    note: 'written by npm run eval:requests -- --write-report (the same figures npm run bench writes)',
  };
  if (Array.isArray(report.table)) report.table = replaceRequestsLines(report.table as string[], requestsTable(result));
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
process.exitCode = !names.includes('heldout') || result.pass ? 0 : 1;
