// `npm run eval:requests`: precision/recall of statutory-request detection on the
// labelled sets (aggregate figures only; `--dev-misses` lists dev ids that were wrong).
import { fileURLToPath } from 'node:url';
import { loadSet, requestsTable, runRequestsEval, scoreSet } from './parts/requests-eval.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const result = runRequestsEval(root);
process.stdout.write(`${requestsTable(result).join('\n')}\n`);
if (process.argv.includes('--dev-misses')) {
  for (const m of scoreSet('dev', loadSet(root, 'dev')).misses) process.stdout.write(`  dev ${m.kind} ${m.type} ${m.id}\n`);
}
process.exitCode = result.pass ? 0 : 1;
