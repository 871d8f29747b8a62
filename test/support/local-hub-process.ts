import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LOCAL_ID_DEFAULTS, LOCAL_SECRET_DEFAULTS } from '../../infra/local/config.ts';
import { freePort } from '../../infra/local/emulators.ts';
import type { OutboxEntry } from '../../infra/local/outbox.ts';
import type { HubTarget } from '../../infra/local/traffic.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');

/** The demo hub as `npm start` runs it, in a child process on free ports and its own data directory. */
export interface LocalHubProcess {
  readonly target: HubTarget;
  /** Polls `probe` until it gives a value; on timeout the error carries the hub's last output. */
  until<T>(what: string, probe: () => Promise<T | undefined>, ms?: number): Promise<T>;
  outbox(): Promise<OutboxEntry[]>;
  /** Resolves once the hub has nothing left to do (hubIdle). */
  idle(): Promise<void>;
  /** `hub …` (bin/hub.js) against this hub's data directory; pass `--local` in `args`. */
  cli(args: readonly string[]): Promise<{ code: number | null; stdout: string }>;
  stop(): Promise<void>;
}

export async function startLocalHubProcess(dataDirPrefix: string): Promise<LocalHubProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  const [httpPort, smtpPort] = [await freePort(), await freePort()];
  const target: HubTarget = {
    baseUrl: `http://127.0.0.1:${httpPort}`,
    smtpHost: '127.0.0.1',
    smtpPort,
    secrets: { ...LOCAL_SECRET_DEFAULTS, ...LOCAL_ID_DEFAULTS },
  };
  let output = '';
  const child: ChildProcess = spawn(NODE, ['infra/local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, VITEST: '', HUB_PORT: String(httpPort), HUB_SMTP_PORT: String(smtpPort), HUB_DATA_DIR: dataDir, HUB_COUNCIL: 'demo' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await until('ready', async () => (/^ready/m.test(output) ? true : undefined), 40_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const cli = (args: readonly string[]) =>
    new Promise<{ code: number | null; stdout: string }>((done) => {
      const c = spawn(NODE, ['bin/hub.js', ...args], { cwd: ROOT, env: { ...process.env, HUB_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      c.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
      c.on('exit', (code) => done({ code, stdout }));
    });
  return {
    target,
    until,
    stop,
    cli,
    idle: () => hubIdle(target.baseUrl),
    outbox: async () => (await (await fetch(`${target.baseUrl}/local/outbox`)).json()) as OutboxEntry[],
  };
}

/**
 * Resolves once a running local hub has nothing left to do: its queues (not
 * the DLQs) are empty, nothing is in flight and no accepted mail waits, twice
 * in a row. A test that asserts something did NOT happen waits for this
 * instead of a fixed pause, which a slow machine can outrun.
 */
export async function hubIdle(baseUrl: string, ceilingMs = 60_000): Promise<void> {
  const deadline = Date.now() + ceilingMs;
  let last = '';
  for (let quiet = 0; quiet < 2; ) {
    const { queues, mailPending } = (await (await fetch(`${baseUrl}/local/records?queues`)).json()) as { queues: Record<string, number>; mailPending: number };
    const busy = Object.entries(queues).filter(([queue, depth]) => !queue.endsWith('-dlq') && depth > 0);
    quiet = busy.length === 0 && mailPending === 0 ? quiet + 1 : 0;
    last = `${busy.map(([queue, depth]) => `${queue} ${depth}`).join(', ') || 'queues empty'}, ${mailPending} mail pending`;
    if (quiet < 2 && Date.now() > deadline) throw new Error(`the hub was still busy after ${ceilingMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
