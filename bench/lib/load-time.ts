import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { BENCH_POLICY_FILE } from './bundle.ts';
import { shuffled } from './stats.ts';

const run = promisify(execFile);
const PROBE = new URL('./load-probe.mjs', import.meta.url);

/** Environment a deployed function sees at INIT (names only matter; nothing is contacted during module load). */
export const INIT_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-2',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AUDIT_TABLE: 'audit',
  OPS_TABLE: 'ops',
  INBOUND_QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/123456789012/inbound',
  OUTBOX_QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/123456789012/outbox',
  AUDIT_QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/123456789012/audit.fifo',
  MAIL_BUCKET: 'mail',
  MAIL_PREFIX: 'inbound/',
  PUBLIC_BASE_URL: 'https://hub.example.gov.uk',
  SES_FROM_ADDRESS: 'hub@example.gov.uk',
  POWERTOOLS_SERVICE_NAME: 'bench',
};

/** One import of `files` (a bundle's index.mjs, then any first-use chunks) in a fresh process of the same Node binary; milliseconds. */
export async function measureOnce(files: readonly string[]): Promise<number> {
  const { stdout } = await run(process.execPath, probeArgs(files), { env: probeEnv(files), timeout: 30_000 });
  const ms = Number(stdout.trim().split('\n').pop());
  if (!Number.isFinite(ms)) throw new Error(`probe printed ${JSON.stringify(stdout)}`);
  return ms;
}

/** As deployed: the council's policy file sits beside index.mjs (benchBundle copies it) and HUB_COUNCIL names it. */
export function probeEnv(files: readonly string[]): NodeJS.ProcessEnv {
  const taskRoot = dirname(files[0]!);
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...INIT_ENV,
    LAMBDA_TASK_ROOT: taskRoot,
    HUB_COUNCIL: join(taskRoot, BENCH_POLICY_FILE),
  };
}

export const probeArgs = (files: readonly string[]): string[] => [PROBE.pathname, ...files.map((file) => pathToFileURL(file).href)];

/**
 * Measures every bundle `runs` times. Each round visits all bundles in a new
 * random order, so a function and its reference share the same background
 * noise (other processes on the machine, CPU frequency) instead of one of
 * them getting all the quiet rounds.
 */
export async function measureInterleaved(
  files: ReadonlyMap<string, readonly string[]>,
  runs: number,
  onRound?: (round: number) => void,
): Promise<Map<string, { samples: number[]; error?: string }>> {
  const results = new Map<string, { samples: number[]; error?: string }>();
  for (const key of files.keys()) results.set(key, { samples: [] });
  // One untimed import each first, so the OS file cache is warm for all alike.
  for (const [key, file] of files) {
    try {
      await measureOnce(file);
    } catch (error) {
      results.get(key)!.error = firstLine(error);
    }
  }
  for (let round = 0; round < runs; round++) {
    for (const key of shuffled([...files.keys()])) {
      const result = results.get(key)!;
      if (result.error) continue;
      try {
        result.samples.push(await measureOnce(files.get(key)!));
      } catch (error) {
        result.error = firstLine(error);
      }
    }
    onRound?.(round + 1);
  }
  return results;
}

function firstLine(error: unknown): string {
  const e = error as { stderr?: string; message?: string };
  const text = e.stderr?.trim() || e.message || String(error);
  const lines = text.split('\n').filter((l) => /Error|error/.test(l));
  return (lines[0] ?? text.split('\n')[0] ?? '').slice(0, 200);
}
