import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { probeArgs, probeEnv } from './load-time.ts';

const run = promisify(execFile);

/**
 * Only the random seed: `--hash-seed` or `--single-threaded` would make V8
 * refuse Node's embedded code cache for its built-in modules, so every count
 * would include compiling node:http, node:crypto… from source, which Lambda
 * does not do, and the ratios would shrink.
 */
const FIXED_SEED = ['--random-seed=1'];

/**
 * Instructions one cold import executes (the same probe and files as the timed
 * figure), counted by valgrind's callgrind (`npm run bench -- --instructions`;
 * Debian package `valgrind`). V8's random seed is fixed (FIXED_SEED), so a
 * count moves by about 0.3 % between runs instead of 2 %, and a change of a
 * fraction of a millisecond shows where the timed median of 31 moves by about
 * 5 %. A count leaves out what it cannot see (cache misses, file reads), so it
 * complements the timed figure and does not replace it. The whole process is
 * counted; the caller subtracts the empty reference's count (Node's own
 * start-up and the probe).
 */
export async function countInstructions(files: readonly string[]): Promise<number> {
  const args = ['--tool=callgrind', '--smc-check=all-non-file', '--callgrind-out-file=/dev/null', process.execPath, ...FIXED_SEED, ...probeArgs(files)];
  const { stderr } = await run('valgrind', args, { env: probeEnv(files), timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  return collectedInstructions(stderr);
}

/** callgrind's summary line, `==123== Collected : 357017817`. */
export function collectedInstructions(valgrindStderr: string): number {
  const match = /Collected\s*:\s*(\d+)/.exec(valgrindStderr);
  if (!match) throw new Error('valgrind printed no instruction count');
  return Number(match[1]);
}

export function valgrindInstalled(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
