import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/store/client.ts';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/emulators.ts';
import type { OutboxEntry } from '../../infra/local/outbox.ts';
import type { ItemView } from '../../infra/local/records.ts';
import {
  eumSms,
  mailchimpUnsubscribe,
  mandrillInbound,
  messengerComment,
  messengerMessage,
  smtpEmail,
  twilioSms,
  whatsappMessage,
  type HubTarget,
} from '../../infra/local/traffic.ts';
import { LOCAL_ID_DEFAULTS, LOCAL_SECRET_DEFAULTS } from '../../infra/local/config.ts';
import { buildSesEvent, sesMessageId } from '../../infra/local/smtp.ts';
import { hubIdle } from '../support/local-hub-process.ts';

/**
 * `npm start` as a user runs it: a child process on free ports with its own
 * data dir, signed traffic on every channel (real SMTP included), the outbox
 * and home page afterwards, the consent form round trip, and a restart that
 * must keep every record. Also the bad-input contract: one line, exit 1.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const CLERK = 'clerk@demo-parish.example.org.uk';
const OUR_NUMBER = '+447700900123';

interface RunningHub {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function spawnHub(env: Record<string, string>): RunningHub {
  const child = spawn(NODE, ['infra/local/start.ts'], { cwd: ROOT, env: { ...process.env, VITEST: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function waitForReady(hub: RunningHub, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void hub.exited.then((code) => (exitCode = code));
  while (!/^ready/m.test(hub.output())) {
    if (exitCode !== undefined) throw new Error(`hub exited with ${exitCode}:\n${hub.output()}`);
    if (Date.now() > deadline) throw new Error(`hub not ready:\n${hub.output()}`);
    await sleep(100);
  }
}

async function stopHub(hub: RunningHub): Promise<number | null> {
  hub.child.kill('SIGTERM');
  return hub.exited;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(NODE, ['bin/hub.js', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 25_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('local hub (npm start) end to end', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-e2e-'));
  const run = randomUUID().replace(/-/g, '').slice(0, 12);
  let hub: RunningHub;
  let target: HubTarget;
  let env: Record<string, string>;

  const outbox = async (): Promise<OutboxEntry[]> => (await fetch(`${target.baseUrl}/local/outbox`)).json() as Promise<OutboxEntry[]>;
  const items = async (): Promise<ItemView[]> => (await fetch(`${target.baseUrl}/local/items`)).json() as Promise<ItemView[]>;

  beforeAll(async () => {
    const [httpPort, smtpPort] = [await freePort(), await freePort()];
    env = { HUB_PORT: String(httpPort), HUB_SMTP_PORT: String(smtpPort), HUB_DATA_DIR: dataDir, HUB_COUNCIL: 'demo' };
    target = {
      baseUrl: `http://127.0.0.1:${httpPort}`,
      smtpHost: '127.0.0.1',
      smtpPort,
      secrets: { ...LOCAL_SECRET_DEFAULTS, ...LOCAL_ID_DEFAULTS },
    };
    hub = spawnHub(env);
    await waitForReady(hub);
  }, 60_000);

  afterAll(async () => {
    if (hub && hub.child.exitCode === null) await stopHub(hub);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints its URLs and the local secrets in use', () => {
    expect(hub.output()).toContain(`${target.baseUrl.replace('127.0.0.1', 'localhost')}/webhooks/messenger`);
    expect(hub.output()).toContain(`MESSENGER_APP_SECRET       ${LOCAL_SECRET_DEFAULTS.MESSENGER_APP_SECRET}`);
    expect(hub.output()).toContain(`localhost:${target.smtpPort}`);
    expect(hub.output()).toContain('IAM enforcement is on');
  });

  it('handles signed traffic on every channel as the demo council policy says, and keeps it across a restart', async () => {
    const accepted = [
      await messengerMessage(target, '6543210987654321', `m_e2e_${run}`, 'Hello, when is the next parish council meeting?'),
      await messengerComment(
        target,
        '7788990011223344',
        'Jane Smith',
        `987654321098765_${run}`,
        'The council broke the law by holding the budget meeting in secret. This is illegal.',
      ),
      await mailchimpUnsubscribe(target, 'newsletter.reader@example.co.uk', '2026-01-05 10:02:11'),
      await mandrillInbound(target, {
        from: 'allotments@example.co.uk',
        fromName: 'Sam Grower',
        to: 'enquiries@demo-parish.example.org.uk',
        subject: 'Allotment waiting list',
        text: 'Please add me to the allotment waiting list.',
        messageId: `<e2e-${run}@mail.example.co.uk>`,
      }),
      await twilioSms(target, '+447700900456', OUR_NUMBER, 'Bin not collected on Elm Close', `SM${run}${'0'.repeat(20)}`),
      await twilioSms(target, '+447700900789', OUR_NUMBER, 'STOP', `SM${run}${'1'.repeat(20)}`),
      await eumSms(target, '+447700900321', OUR_NUMBER, 'Street light out at the bus stop on High St', randomUUID()),
    ];
    expect(accepted.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 202]);

    const formalReply = await smtpEmail(target, {
      from: 'resident@example.co.uk',
      fromName: 'Alex Resident',
      to: CLERK,
      subject: 'Overgrown hedge on Mill Road',
      text: 'Dear Clerk,\n\nThe hedge outside 14 Mill Road blocks the footpath. Please ask the owner to cut it back.\n\nAlex Resident',
    });
    const autoReply = await smtpEmail(target, {
      from: 'away@example.co.uk',
      fromName: 'Away Resident',
      to: CLERK,
      subject: 'Automatic reply: Parish newsletter',
      text: 'I am out of the office until Monday.',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    expect(formalReply).toMatch(/^250/);
    expect(autoReply).toMatch(/^250/);

    // Messenger: the standard not-official-contact reply, on Messenger, to the resident.
    const sent = await until('the pipeline to deliver', async () => {
      const all = await outbox();
      const has = (test: (e: OutboxEntry) => boolean) => all.some(test);
      const ready =
        has((e) => e.channel === 'messenger' && e.kind === 'auto-reply' && e.to === '6543210987654321') &&
        has((e) => e.kind === 'consent-request' && e.to === 'resident@example.co.uk') &&
        has((e) => e.kind === 'consent-request' && e.to === '+447700900321');
      return ready ? all : undefined;
    });
    const autoText = sent.find((e) => e.channel === 'messenger' && e.kind === 'auto-reply')!.text;
    expect(autoText).toContain(CLERK);

    // The formal email: one routing email to the clerk with its reference, and a consent request to the resident.
    const consentRequest = sent.find((e) => e.kind === 'consent-request' && e.to === 'resident@example.co.uk')!;
    expect(consentRequest.channel).toBe('email');
    expect(consentRequest.ref).toMatch(/^DEM-\d{4}-\d{6}$/);
    const routing = sent.filter((e) => e.kind === 'clerk-routing' && e.ref === consentRequest.ref);
    expect(routing).toHaveLength(1);
    expect(routing[0]!.to).toBe(CLERK);

    // The auto-submitted email: nothing goes back to its sender (whatever the clerk is sent is delivered first).
    const automatic = await until('the automatic email to be handled', async () => {
      const item = (await items()).find((i) => i.subject === 'Automatic reply: Parish newsletter');
      // Events reach the chain through the appender (the FIFO audit queue), a moment after the summary.
      if (!item || item.reasons.length === 0) return undefined;
      return !item.actions.includes('route-to-clerk') || item.outbox.some((e) => e.kind === 'clerk-routing') ? item : undefined;
    });
    expect(automatic.reasons.map((r) => r.rule)).toContain('automatic-mail');
    await hubIdle(target.baseUrl);
    expect((await outbox()).filter((e) => e.to.includes('away@example.co.uk'))).toEqual([]);
    // Consent-ledger items (unsubscribe, STOP) get no reply either.
    expect((await outbox()).filter((e) => e.to === 'newsletter.reader@example.co.uk' || e.to === '+447700900789')).toEqual([]);

    // Consent round trip: the link in the request opens an accessible form; granting is recorded.
    const link = /https?:\/\/[^\s<>"]+\/consent\/[A-Za-z0-9._~-]+/.exec(consentRequest.text)?.[0];
    expect(link).toBeDefined();
    const localLink = new URL(new URL(link!).pathname, target.baseUrl).href;
    const form = await fetch(localLink);
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain(consentRequest.ref!);
    expect(formHtml).toContain('name="choice"');
    const granted = await fetch(localLink, {
      method: 'POST',
      body: 'choice=grant',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(granted.status).toBe(200);
    const formalItem = await until('consent to be recorded', async () => {
      const item = (await items()).find((i) => i.ref === consentRequest.ref);
      return item?.consentStatus === 'granted' && item.events.some((e) => e.type === 'consent-granted') ? item : undefined;
    });
    expect(formalItem.classification).toBe('formal');
    expect(formalItem.reasons.some((r) => r.clause.length > 0)).toBe(true);
    expect(formalItem.events.map((e) => e.type)).toEqual(expect.arrayContaining(['received', 'classified', 'routed', 'consent-requested', 'consent-granted']));

    // The home page shows the item, its reference and reasons, with resident values escaped.
    const home = await (await fetch(`${target.baseUrl}/`)).text();
    expect(home).toContain(consentRequest.ref!);
    expect(home).toContain('Overgrown hedge on Mill Road');
    expect(home).not.toMatch(/<script/i);

    // Every channel produced an item.
    const before = await until('every item to be recorded', async () => {
      const all = await items();
      return all.length >= 9 ? all : undefined;
    });
    expect(new Set(before.map((i) => i.channel))).toEqual(new Set(['messenger', 'facebook-comment', 'email', 'mailchimp', 'sms']));
    await hubIdle(target.baseUrl); // trailing deliveries and audit events land before the snapshot and the restart
    const beforeItems = await items();
    const beforeOutbox = await outbox();

    // Every function ran under its own role from the synthesised stack, and nothing was denied.
    const iam = (await (await fetch(`${target.baseUrl}/local/iam`)).json()) as { enforcement: boolean; evaluated: Record<string, number>; denials: unknown[] };
    expect(iam).toMatchObject({ enforcement: true, denials: [] });
    for (const fn of [
      'messengerWebhook',
      'mailchimpWebhook',
      'mandrillIntake',
      'mandrillIntegration',
      'twilioWebhook',
      'sesInbound',
      'smsInbound',
      'classify',
      'deliver',
      'consentForm',
    ]) {
      expect(iam.evaluated[fn] ?? 0, fn).toBeGreaterThan(0);
    }
    expect(hub.output()).not.toMatch(/^hub: iam: DENIED/m);

    // Restart on the same data dir: every record, consent status and outbox entry is still there.
    expect(await stopHub(hub)).toBe(0);
    expect(hub.output()).toContain('hub: stopped');
    hub = spawnHub(env);
    await waitForReady(hub);
    const summary = (list: ItemView[]) => list.map((i) => [i.itemId, i.ref, i.classification, i.consentStatus, i.events.length]).sort();
    expect(summary(await items())).toEqual(summary(beforeItems));
    expect((await outbox()).map((e) => e.id).sort()).toEqual(beforeOutbox.map((e) => e.id).sort());

    // A provider retry after the restart is still recognised: no second item.
    await messengerMessage(target, '6543210987654321', `m_e2e_${run}`, 'Hello, when is the next parish council meeting?');
    await hubIdle(target.baseUrl);
    expect((await items()).length).toBe(beforeItems.length);
  }, 90_000);

  it('lets the data protection officer export, hold and erase with npx hub sar|hold|erase --local, and verify stays green', async () => {
    const hubCli = (args: string[]) => runCli(args, { HUB_DATA_DIR: dataDir });
    const binItem = (await items()).find((i) => i.text?.includes('Bin not collected on Elm Close'))!;
    expect(binItem.ref).toBeDefined();

    const out = join(mkdtempSync(join(tmpdir(), 'hub-e2e-sar-')), 'sar');
    const sar = await hubCli(['sar', 'export', '--local', '--sender', '+44 7700 900456', '--out', out, '--case', 'SAR-2026-001']);
    expect(sar.code, sar.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { items: { reference: string; content?: { text: string } }[] };
    expect(report.items.map((i) => i.reference)).toEqual([binItem.ref]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Bin not collected on Elm Close');

    expect((await hubCli(['hold', 'add', binItem.ref!, '--reason', 'FOI-2026-001', '--local'])).code).toBe(0);
    const refused = await hubCli(['erase', '--reference', binItem.ref!, '--reason', 'ERASE-2026-001', '--local']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/legal hold \(FOI-2026-001\)/);
    expect((await hubCli(['hold', 'remove', binItem.ref!, '--reason', 'FOI-2026-001 closed', '--local'])).code).toBe(0);
    const erased = await hubCli(['erase', '--sender', '+447700900456', '--reason', 'ERASE-2026-001', '--local']);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain(`Erased ${binItem.ref}`);

    const shown = await hubCli(['audit', 'show', binItem.ref!, '--local']);
    expect(shown.stdout).toMatch(/erased on \d{4}-\d{2}-\d{2} because ERASE-2026-001/);
    expect(shown.stdout).not.toContain('Elm Close');
    const verified = await hubCli(['audit', 'verify', '--local']);
    expect(verified.code, verified.stdout).toBe(0);
    // Erasure deletes the local copy of the raw mail, as it does in the bucket (the item now points at it locally too).
    const inbound = join(dataDir, 'mail', 'inbound');
    const holding = (text: string) => readdirSync(inbound).find((f) => readFileSync(join(inbound, f), 'utf8').includes(text));
    const awayFile = holding('Automatic reply: Parish newsletter')!;
    expect(awayFile).toBeDefined();
    const away = await hubCli(['erase', '--sender', 'away@example.co.uk', '--reason', 'ERASE-2026-002', '--local']);
    expect(away.code, away.stderr).toBe(0);
    expect(existsSync(join(inbound, awayFile))).toBe(false);
    expect(holding('Overgrown hedge on Mill Road')).toBeDefined();
    // Someone who only wrote on Messenger (informal: no reference): the erasure is still in the audit trail.
    const informal = await hubCli(['erase', '--sender', '6543210987654321', '--reason', 'ERASE-2026-003', '--local']);
    expect(informal.code, informal.stderr).toBe(0);
    expect(informal.stdout).toMatch(/Removed 1 informal message log[\s\S]*subject-erased, reference ERASE-/);
    expect((await hubCli(['audit', 'verify', '--local'])).code).toBe(0);
    const bad = await hubCli(['erase', '--refrence', binItem.ref!, '--reason', 'R', '--local']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('hub: unknown option --refrence (did you mean --reference?)');
  }, 60_000);

  it('takes WhatsApp: lists its webhook and secrets, answers once per message inside the window, refuses a forged signature', async () => {
    const out = hub.output();
    expect(out).toContain(`${target.baseUrl.replace('127.0.0.1', 'localhost')}/webhooks/whatsapp`);
    for (const name of ['WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'] as const) expect(out).toContain(`${name.padEnd(26)} ${LOCAL_SECRET_DEFAULTS[name]}`);
    const wamid = `wamid.e2e_${run}`;
    const first = await whatsappMessage(target, '447700900654', wamid, 'Is the village hall free on Saturday?');
    const retry = await whatsappMessage(target, '447700900654', wamid, 'Is the village hall free on Saturday?');
    const forged = await whatsappMessage(
      { ...target, secrets: { ...target.secrets, WHATSAPP_APP_SECRET: 'not-the-secret' } as unknown as HubTarget['secrets'] },
      '447700900655',
      `${wamid}_forged`,
      'forged',
    );
    expect([first.status, retry.status, forged.status]).toEqual([200, 200, 401]);
    const replies = await until('the WhatsApp reply', async () => {
      const all = (await outbox()).filter((e) => e.channel === 'whatsapp');
      return all.length > 0 ? all : undefined;
    });
    await hubIdle(target.baseUrl);
    expect((await outbox()).filter((e) => e.channel === 'whatsapp')).toEqual(replies);
    expect(replies.map((e) => [e.kind, e.to, e.provider])).toEqual([['auto-reply', '447700900654', 'whatsapp']]);
    expect(replies[0]!.text).toContain(CLERK);
    const recorded = (await items()).filter((i) => i.channel === 'whatsapp');
    expect(recorded.map((i) => [i.itemId, i.classification])).toEqual([[`whatsapp:${wamid}`, 'informal']]);
  }, 60_000);

  it("hides a breaching Page comment in the Graph fake, records it, and the clerk's link deletes it once", async () => {
    const commentId = `987654321098765_mod${run}`;
    const sent = await messengerComment(target, '5566778899001122', 'Rude Poster', commentId, 'You lot are f***ing useless muppets');
    expect(sent.status).toBe(200);
    const hidden = await until('the comment to be hidden', async () => {
      const page = (await (await fetch(`${target.baseUrl}/local/page`)).json()) as { hidden: string[]; deleted: string[] };
      return page.hidden.includes(commentId) ? page : undefined;
    });
    expect(hidden.deleted).not.toContain(commentId);
    const entries = await until('the clerk routing email', async () => {
      const all = (await outbox()).filter((e) => e.kind === 'clerk-routing' && e.text.includes('Hidden at once'));
      return all.find((e) => e.text.includes('muppets'));
    });
    const ref = entries.ref!;
    const link = /- Delete the comment: (\S+)/.exec(entries.text)?.[1];
    expect(link).toMatch(/\/moderation\//);
    expect((await fetch(link!)).status).toBe(200);
    expect((await fetch(link!, { method: 'POST' })).status).toBe(200);
    expect((await fetch(link!, { method: 'POST' })).status).toBe(410);
    await until('the comment to be deleted', async () => {
      const page = (await (await fetch(`${target.baseUrl}/local/page`)).json()) as { deleted: string[] };
      return page.deleted.includes(commentId) ? true : undefined;
    });
    const shown = await until('both actions in the audit trail', async () => {
      const out = await runCli(['audit', 'show', ref, '--local', '--json'], { HUB_DATA_DIR: dataDir });
      return (out.stdout.match(/"page-action"/g) ?? []).length >= 2 ? out.stdout : undefined;
    });
    expect(shown).toContain('page-action-requested');
    expect(shown).toContain('"by": "clerk"');
  }, 60_000);

  it('lets an auditor list, show and verify the records with npx hub audit --local, and catches tampering', async () => {
    const hubCli = (args: string[]) => runCli(args, { HUB_DATA_DIR: dataDir });
    const listed = await hubCli(['audit', 'list', '--local', '--json']);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as { ref: string; channel: string; classification: string }[];
    const formalEmail = (await items()).find((i) => i.subject === 'Overgrown hedge on Mill Road')!;
    expect(rows.map((r) => r.ref)).toContain(formalEmail.ref);
    expect(new Set(rows.map((r) => r.channel))).toEqual(new Set(['email', 'sms', 'mailchimp', 'facebook-comment']));

    const table = await hubCli(['audit', 'list', '--local', '--channel', 'email']);
    expect(table.stdout).toMatch(/Reference\s+Received\s+Channel/);
    expect(table.stdout).toContain(formalEmail.ref!);

    const shown = await hubCli(['audit', 'show', formalEmail.ref!, '--local']);
    expect(shown.code).toBe(0);
    for (const type of ['received', 'classified', 'routed', 'consent-requested', 'consent-granted']) expect(shown.stdout).toContain(type);

    const verified = await hubCli(['audit', 'verify', '--local']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^OK: the demo audit trail verifies: [\d,]+ events, [\d,]+ items/);

    // Someone with write access changes one event behind the hub's back: verify names it.
    const info = JSON.parse(readFileSync(join(dataDir, 'hub.json'), 'utf8')) as { dynamodbEndpoint: string; auditTable: string };
    const db = createDocumentClient({ endpoint: info.dynamodbEndpoint, region: 'eu-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await db.send(
      new UpdateCommand({
        TableName: info.auditTable,
        Key: { pk: 'CHAIN#demo', sk: 'EVENT#000000000002' },
        UpdateExpression: 'SET #at = :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':at': '2020-01-01T00:00:00.000Z' },
      }),
    );
    const tampered = await hubCli(['audit', 'verify', '--local']);
    expect(tampered.code).toBe(1);
    // Which item's event is seq 2 depends on how concurrent classify runs interleaved; verify must name seq 2 either way.
    expect(tampered.stdout).toMatch(/\[event-altered\] event 2 · [a-z-]+( · [A-Z]{3}-\d{4}-\d{6})?: event 2 was altered/);
    for (const r of [listed, table, shown, verified, tampered]) expect(r.stderr).not.toContain('iam: DENIED');
  }, 60_000);

  it('made no AWS call that the deployed stack would deny (every function ran under its own role)', async () => {
    expect(hub.output()).not.toMatch(/^hub: iam: DENIED/m);
    const iam = (await (await fetch(`${target.baseUrl}/local/iam`)).json()) as { enforcement: boolean; evaluated: Record<string, number>; denials: unknown[] };
    expect(iam.enforcement).toBe(true);
    expect(iam.denials).toEqual([]);
    expect(iam.evaluated.messengerWebhook ?? 0).toBeGreaterThan(0); // the provider retry sent after the restart
  });
});

describe('local hub recovery', () => {
  it('handles, at the next start, mail it had accepted but not yet handed to the SES handler (a crash in between)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-pending-'));
    // The council's policy as an absolute path outside the working directory (HUB_COUNCIL=/abs/path.json):
    // it must be what the functions load too, not a path joined to the working directory.
    const policyFile = join(dir, 'our-council.json');
    writeFileSync(policyFile, readFileSync(join(ROOT, 'shared/policy/presets/demo.json')));
    try {
      const messageId = sesMessageId();
      const raw = Buffer.from(
        [
          'Return-Path: <late@example.co.uk>',
          'From: Late Resident <late@example.co.uk>',
          `To: ${CLERK}`,
          'Subject: Pothole on Station Road',
          `Message-ID: <pending-${messageId}@example.co.uk>`,
          'Date: Mon, 5 Jan 2026 09:14:57 +0000',
          '',
          'There is a deep pothole outside the station.',
        ].join('\r\n'),
      );
      mkdirSync(join(dir, 'mail', 'inbound'), { recursive: true });
      mkdirSync(join(dir, 'mail-pending'), { recursive: true });
      writeFileSync(join(dir, 'mail', 'inbound', messageId), raw);
      const event = buildSesEvent({ raw, messageId, envelopeFrom: 'late@example.co.uk', recipients: [CLERK] });
      writeFileSync(join(dir, 'mail-pending', `${messageId}.json`), JSON.stringify(event));
      // Raw mail stored 31 days ago: past the demo policy's 30 days, so the hub's lifecycle rule (as S3's) deletes it at start.
      const old = join(dir, 'mail', 'inbound', 'old-mail-0001');
      writeFileSync(old, 'From: someone@example.co.uk\r\n\r\nold\r\n');
      const monthAgo = new Date(Date.now() - 31 * 86_400_000);
      utimesSync(old, monthAgo, monthAgo);

      const [httpPort, smtpPort] = [await freePort(), await freePort()];
      const hub = spawnHub({ HUB_PORT: String(httpPort), HUB_SMTP_PORT: String(smtpPort), HUB_DATA_DIR: dir, HUB_COUNCIL: policyFile });
      try {
        await waitForReady(hub);
        const item = await until('the pending mail to be handled', async () => {
          const list = (await (await fetch(`http://127.0.0.1:${httpPort}/local/items`)).json()) as ItemView[];
          return list.find((i) => i.subject === 'Pothole on Station Road');
        });
        expect(item.classification).toBe('formal');
        expect(readdirSync(join(dir, 'mail-pending'))).toEqual([]);
        expect(existsSync(old)).toBe(false);
        expect(existsSync(join(dir, 'mail', 'inbound', messageId))).toBe(true);
      } finally {
        await stopHub(hub);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('local hub bad input: one clear line and a non-zero exit', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hub-bad-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  async function failsWith(env: Record<string, string>, expected: RegExp): Promise<void> {
    const [httpPort, smtpPort] = [await freePort(), await freePort()];
    const newDataDir = join(scratch, randomUUID());
    const hub = spawnHub({ HUB_PORT: String(httpPort), HUB_SMTP_PORT: String(smtpPort), HUB_DATA_DIR: newDataDir, ...env });
    const code = await hub.exited;
    const lines = hub.output().trim().split('\n');
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    expect(hub.output()).not.toMatch(/\n\s+at /);
    // A failed first start leaves no empty mail/ and mail-pending/ folders (nor the new data dir) behind.
    if (!env.HUB_DATA_DIR) expect(existsSync(newDataDir)).toBe(false);
  }

  it('rejects an unknown council preset', async () => {
    await failsWith({ HUB_COUNCIL: 'atlantis' }, /^hub: HUB_COUNCIL "atlantis" is unknown: .*expected one of .*demo/);
  });

  it('rejects an invalid policy file, naming the field', async () => {
    const file = join(scratch, 'broken.json');
    writeFileSync(file, JSON.stringify({ version: '1' }));
    await failsWith({ HUB_COUNCIL: file }, /^hub: HUB_COUNCIL policy file .*broken\.json is invalid: council/);
  });

  it('rejects a port already in use', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((done) => blocker.listen(0, '127.0.0.1', () => done((blocker.address() as { port: number }).port)));
    try {
      await failsWith({ HUB_PORT: String(port) }, new RegExp(`^hub: HUB_PORT ${port} is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('rejects a corrupt data dir', async () => {
    const dir = join(scratch, 'corrupt');
    mkdirSync(join(dir, 'dynamodb'), { recursive: true });
    writeFileSync(join(dir, 'dynamodb', 'CURRENT'), 'MANIFEST-999999\n');
    await failsWith({ HUB_DATA_DIR: dir }, /^hub: corrupt data dir: .*dynamodb cannot be opened/);
  });

  it('rejects a queue journal it cannot read', async () => {
    const dir = join(scratch, 'bad-journal');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'queues.jsonl'), 'not json\n{"op":"put","queue":"inbound","id":"x","message":{}}\n');
    await failsWith({ HUB_DATA_DIR: dir }, /^hub: corrupt data dir: .*queues\.jsonl line 1/);
  });
});
