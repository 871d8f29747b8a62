// `npm run eval:requests [-- --sets dev,dev2] [--misses]`: precision/recall of
// statutory-request detection on the labelled sets, each set and category
// apart, with counts. `--misses` lists the wrong items of the tuning sets (dev,
// dev2) with the rule that fired; heldout is only ever scored, never listed.
import { fileURLToPath } from 'node:url';
import { detectRequests } from '../shared/cases/detect.ts';
import { loadSet, REQUEST_SETS, type RequestSetName, requestsTable, runRequestsEval, scoreSet, TUNING_SETS } from './parts/requests-eval.ts';

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
process.exitCode = !names.includes('heldout') || result.pass ? 0 : 1;
