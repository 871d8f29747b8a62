import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/emulators.ts';
import type { OutboxEntry } from '../../infra/local/outbox.ts';
import { smtpEmail, type HubTarget } from '../../infra/local/traffic.ts';
import { LOCAL_ID_DEFAULTS, LOCAL_SECRET_DEFAULTS } from '../../infra/local/config.ts';

/**
 * Issue 13: the daily digest on the running local hub (`npm start` as a child
 * process). The clerk schedule is fired as its EventBridge rule fires it, at
 * chosen moments (`POST /local/schedules/clerk-sweep` with the event's time):
 * nothing on a day with nothing to say; with a case open, nothing before the
 * demo policy's office hours (Mon-Fri 09:00-17:00, demo §10) or on a Saturday,
 * and exactly one digest to the clerk on a weekday once 09:00 has passed.
 * The days are in March 2027 (GMT, no bank holiday), far from the real date
 * the hub's own 30-second timer runs for.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const CLERK = 'clerk@demo-parish.example.org.uk';

describe('the daily digest, on the local hub', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-digest-'));
  let child: ChildProcess;
  let output = '';
  let target: HubTarget;

  const outbox = async () => (await (await fetch(`${target.baseUrl}/local/outbox`)).json()) as OutboxEntry[];
  const digestsFor = async (date: string) => (await outbox()).filter((e) => e.kind === 'clerk-digest' && e.itemId === `digest:${date}`);
  const fire = async (time: string) => {
    const res = await fetch(`${target.baseUrl}/local/schedules/clerk-sweep`, { method: 'POST', body: JSON.stringify({ time }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { result: { digest: string } }).result.digest;
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  beforeAll(async () => {
    const [httpPort, smtpPort] = [await freePort(), await freePort()];
    target = { baseUrl: `http://127.0.0.1:${httpPort}`, smtpHost: '127.0.0.1', smtpPort, secrets: { ...LOCAL_SECRET_DEFAULTS, ...LOCAL_ID_DEFAULTS } };
    child = spawn(NODE, ['infra/local/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, VITEST: '', HUB_PORT: String(httpPort), HUB_SMTP_PORT: String(smtpPort), HUB_DATA_DIR: dataDir, HUB_COUNCIL: 'demo' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await until('ready', async () => (/^ready/m.test(output) ? true : undefined), 40_000);
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a rule firing that names no schedule, or a time without a zone, is refused', async () => {
    expect((await fetch(`${target.baseUrl}/local/schedules/clerk-sweeep`, { method: 'POST' })).status).toBe(404);
    const bad = await fetch(`${target.baseUrl}/local/schedules/clerk-sweep`, { method: 'POST', body: JSON.stringify({ time: '2027-03-02 09:30' }) });
    expect(bad.status).toBe(400);
  });

  it('nothing to say: no digest, even at 09:30 on a weekday', async () => {
    expect(await fire('2027-03-02T09:30:00Z')).toBe('empty');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await digestsFor('2027-03-02')).toEqual([]);
  });

  it('with a case open: none before 09:00 or on a Saturday, one on a weekday after 09:00, and only one', async () => {
    await smtpEmail(target, {
      from: 'robin@example.co.uk',
      fromName: 'Robin Resident',
      to: CLERK,
      subject: 'Information request',
      text: 'Under the Freedom of Information Act, please send me copies of the play area inspection reports for 2026.',
    });
    const routing = await until('the routing email', async () =>
      (await outbox()).find((e) => e.kind === 'clerk-routing' && e.subject?.includes('Information request')),
    );

    expect(await fire('2027-03-03T08:45:00Z')).toBe('not-due'); // Wednesday, before office hours
    expect(await fire('2027-03-06T10:00:00Z')).toBe('not-due'); // Saturday
    expect(await fire('2027-03-03T09:15:00Z')).toBe('sent');
    expect(await fire('2027-03-03T09:30:00Z')).toBe('already-sent');
    expect(await fire('2027-03-03T16:45:00Z')).toBe('already-sent');

    const [digest, ...more] = await until('the digest', async () => ((await digestsFor('2027-03-03')).length ? digestsFor('2027-03-03') : undefined));
    expect(more).toEqual([]);
    expect(digest).toMatchObject({ channel: 'email', to: CLERK });
    expect(digest!.text).toContain('Daily digest for Demo Parish Council, Wednesday 3 March 2027.');
    expect(digest!.text).toMatch(new RegExp(`${routing.ref} \\(email, received \\d{4}-\\d{2}-\\d{2}\\) — FOI due .* — OVERDUE`));
    expect(await digestsFor('2027-03-06')).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await digestsFor('2027-03-03')).toHaveLength(1);
  }, 60_000);
});
