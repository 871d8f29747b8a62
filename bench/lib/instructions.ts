import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { probeArgs, probeEnv } from './load-time.ts';

const run = promisify(execFile);

/**
 * Instructions one cold import executes (the same probe and files as the timed
 * figure), counted by valgrind's callgrind (`npm run bench -- --instructions`;
 * Debian package `valgrind`). V8 runs on one thread with fixed hash and random
 * seeds (DETERMINISTIC_V8), so a bundle gets the same count in every run: a
 * change of a tenth of a millisecond shows, where the timed median of 31 moves
 * by about 5 %. Off-thread work (compilation, marking) is counted on the main
 * thread instead, so the counts are of all the work, not of its latency. A
 * count leaves out what it cannot see (cache misses, file reads), so it
 * complements the timed figure and does not replace it. The whole process is
 * counted; the caller subtracts the empty reference's count (Node's own
 * start-up and the probe).
 */
/** Without them a count moves by about 2 % between runs (hash seeds, when background threads run). */
export const DETERMINISTIC_V8 = ['--single-threaded', '--hash-seed=1', '--random-seed=1'];

export async function countInstructions(files: readonly string[]): Promise<number> {
  const args = ['--tool=callgrind', '--smc-check=all-non-file', '--callgrind-out-file=/dev/null', process.execPath, ...DETERMINISTIC_V8, ...probeArgs(files)];
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
