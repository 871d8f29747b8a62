import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditArgs, runAudit } from '../../shared/cli/audit.ts';
import { parseDpArgs, runDp, type DpContext } from '../../shared/cli/dataprotection.ts';
import { HoldStore } from '../../shared/dataprotection/holds.ts';
import { bindPrincipal } from '../../infra/local/iam/enforce.ts';
import type { OpsTable } from '../../shared/dataprotection/ops-records.ts';
import { FileRawMailEraser } from '../../shared/dataprotection/raw-mail.ts';
import { FileMailStore } from '../../shared/channels/raw-mail-store.ts';
import { sweepRetention } from '../../shared/dataprotection/retention.ts';
import { deliverOutboxMessage } from '../../shared/delivery/deliver.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import type { InboundItem, OutboxMessage } from '../../shared/model/index.ts';
import { processInboundItem, type ClassifyDeps } from '../../shared/pipeline/classify.ts';
import { hashSender } from '../../shared/pipeline/hash.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import { CaseStore } from '../../shared/store/case-store.ts';

/**
 * The data protection commands end to end on dynalite, over records made by
 * the real pipeline (classify, then deliver with a fake provider): subject
 * access export, erasure, legal holds and the retention sweep.
 */

const KEY = 'dp-test-signing-key';
const policy = loadPolicy('stilton');
const RECEIVED = '2026-03-10T10:00:00.000Z';

// Jo wrote by email, by SMS and on Messenger; Sam wrote on the same three channels.
const JO = { email: 'jo.bloggs@example.org', phone: '+447700900123', psid: '7001', words: 'Jo-only-words', rawId: 'ses-msg-a1' };
const SAM = { email: 'sam.smith@example.net', phone: '+447700900456', psid: '7002', words: 'Sam-only-words', rawId: 'ses-msg-b2' };

let emu: Emulators;
let audit: AuditStore;
let pipelineAudit: AuditStore;
let deliverAudit: AuditStore;
let sweepAudit: AuditStore;
let sweepHolds: HoldStore;
let deliverOps: OpsStore;
let auditorStore: AuditStore;
let opsStore: OpsStore;
let ops: OpsTable;
let holds: HoldStore;
let cases: CaseStore;
let mailDir: string;
let seq = 0;
const refs: Record<string, string> = {};

function base(channel: InboundItem['channel'], over: Partial<InboundItem>): InboundItem {
  const n = ++seq;
  return {
    schemaVersion: 1,
    itemId: `${channel}:${n}`,
    channel,
    provider: channel === 'email' ? 'ses' : channel === 'sms' ? 'twilio' : 'meta',
    kind: channel === 'email' ? 'email' : channel === 'sms' ? 'sms' : 'message',
    providerMessageId: `m-${n}`,
    receivedAt: RECEIVED,
    sender: { id: 'x' },
    recipients: [],
    text: '',
    attachments: [],
    thread: {},
    transport: {},
    ...over,
  } as InboundItem;
}

function itemsOf(person: typeof JO, name: string): InboundItem[] {
  return [
    base('email', {
      sender: { id: person.email, name },
      recipients: [policy.contacts.clerk.address],
      subject: `Hedges on Church Lane (${person.words})`,
      text: `Dear Clerk, the hedges need cutting. ${person.words}`,
      attachments: [{ filename: `${name}-photo.jpg`, contentType: 'image/jpeg', sizeBytes: 4096 }],
      thread: { messageId: `<${person.words}@example.org>` },
      transport: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS', returnPath: person.email },
      raw: { bucket: 'local', key: `inbound/${person.rawId}` },
    }),
    base('sms', { sender: { id: person.phone }, recipients: [policy.contacts.smsNumbers![0]!], text: `Streetlight out on Fen Street. ${person.words}` }),
    base('messenger', { sender: { id: person.psid }, recipients: [policy.contacts.messengerPageId!], text: `When is the next meeting? ${person.words}` }),
  ];
}

async function ingest(item: InboundItem, deps: ClassifyDeps, key = `${item.channel}:${item.sender.id}`): Promise<void> {
  const published: OutboxMessage[] = [];
  const outcome = await processInboundItem(item, { ...deps, outbox: { publish: async (m) => void published.push(...m) } });
  if (outcome.ref) refs[key] = outcome.ref;
  for (const message of published) {
    await deliverOutboxMessage(message, { ops: deliverOps, audit: () => deliverAudit, send: async () => ({ status: 'sent', provider: 'fake', providerMessageId: `p-${message.id}` }), now: () => new Date(RECEIVED) });
  }
}

function capture() {
  let text = '';
  return { out: { write: (t: string) => void (text += t) }, text: () => text };
}

function context(out: { write(t: string): void }, now = new Date('2026-04-01T09:00:00.000Z')): DpContext {
  return { audit, holds, ops, rawMail: new FileRawMailEraser(mailDir), bodies: new FileMailStore(mailDir), senderKey: KEY, policy, operator: 'dpo-test', out, now: () => now };
}

async function dp(argv: string[], now?: Date) {
  const out = capture();
  const code = await runDp(parseDpArgs(argv), context(out.out, now));
  return { code, text: out.text() };
}

async function auditCli(argv: string[]) {
  const out = capture();
  const code = await runAudit(parseAuditArgs(['audit', ...argv]), { store: auditorStore, out: out.out, senderKey: KEY });
  return { code, text: out.text() };
}

function readTree(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'dataprotection-' });
  const client = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
  // The pipeline writes as classify; the commands run as the DPO role and the sweep as its function, under IAM enforcement.
  const as = (principal: Parameters<typeof bindPrincipal>[1]) =>
    bindPrincipal(createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint }), principal);
  pipelineAudit = new AuditStore({ client: as('classify'), tableName: emu.tableNames.audit, council: policy.council.id });
  deliverAudit = new AuditStore({ client: as('deliver'), tableName: emu.tableNames.audit, council: policy.council.id });
  opsStore = new OpsStore({ client: as('classify'), tableName: emu.tableNames.ops, clock: () => new Date(RECEIVED).getTime() });
  deliverOps = new OpsStore({ client: as('deliver'), tableName: emu.tableNames.ops, clock: () => new Date(RECEIVED).getTime() });
  const dpo = as('dpo');
  audit = new AuditStore({ client: dpo, tableName: emu.tableNames.audit, council: policy.council.id });
  ops = { client: dpo, tableName: emu.tableNames.ops, clock: () => new Date(RECEIVED).getTime() };
  holds = new HoldStore({ client: dpo, tableName: emu.tableNames.audit, audit });
  auditorStore = new AuditStore({ client: as('auditor'), tableName: emu.tableNames.audit, council: policy.council.id });
  const sweeper = as('retentionSweep');
  sweepAudit = new AuditStore({ client: sweeper, tableName: emu.tableNames.audit, council: policy.council.id });
  sweepHolds = new HoldStore({ client: sweeper, tableName: emu.tableNames.audit, audit: sweepAudit });
  cases = new CaseStore({ client, tableName: emu.tableNames.ops });
  mailDir = mkdtempSync(join(tmpdir(), 'dp-mail-'));
  mkdirSync(join(mailDir, 'inbound'));
  for (const p of [JO, SAM]) writeFileSync(join(mailDir, 'inbound', p.rawId), `From: ${p.email}\r\n\r\n${p.words}\r\n`);
  const deps: ClassifyDeps = {
    audit: pipelineAudit,
    ops: opsStore,
    outbox: { publish: async () => undefined },
    policy,
    secrets: { CONSENT_SIGNING_KEY: KEY },
    now: () => new Date(RECEIVED),
    publicBaseUrl: 'https://hub.example.org',
    cases,
    bodies: new FileMailStore(mailDir),
  };
  for (const item of [...itemsOf(JO, 'Jo Bloggs'), ...itemsOf(SAM, 'Sam Smith')]) await ingest(item, deps);
  // A body too large for a DynamoDB record: its full text goes to the bucket (content/), the record keeps the start.
  const big = { ...itemsOf(JO, 'Jo Bloggs')[0]!, itemId: 'email:big', providerMessageId: 'm-big', raw: undefined, text: `${'Long letter. '.repeat(30_000)}${JO.words}-at-the-end` };
  await ingest(big, deps, 'big');
}, 60_000);

afterAll(async () => emu?.stop());

describe('hub sar export', () => {
  it('finds everything Jo sent on three channels and nothing about Sam, and audits the export without personal data', async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), 'dp-sar-')), 'jo');
    const run = await dp(['sar', 'export', '--sender', JO.email, '--sender', JO.phone, '--sender', JO.psid, '--out', outDir, '--case', 'SAR-2026-001']);
    expect(run.code, run.text).toBe(0);
    expect(readdirSync(outDir).sort()).toEqual(['manifest.json', 'report.html', 'report.json']);

    const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8'));
    expect(report.items.map((i: { reference: string }) => i.reference).sort()).toEqual([refs[`email:${JO.email}`], refs[`sms:${JO.phone}`], refs.big].sort());
    expect(report.items.map((i: { channel: string }) => i.channel).sort()).toEqual(['email', 'email', 'sms']);
    // The long letter's full text, read back from the bucket, not the record's excerpt.
    const long = report.items.find((i: { reference: string }) => i.reference === refs.big);
    expect(long.content.text).toMatch(new RegExp(`${JO.words}-at-the-end$`));
    expect(report.informalMessages).toHaveLength(1);
    expect(report.informalMessages[0].channel).toBe('messenger');
    const email = report.items.find((i: { reference: string }) => i.reference === refs[`email:${JO.email}`]);
    expect(email.content.text).toContain(JO.words);
    expect(email.content.attachments[0].filename).toBe('Jo Bloggs-photo.jpg');
    expect(email.decision.reasons.some((r: { clause: string }) => r.clause.startsWith('stilton.txt'))).toBe(true);
    expect(email.messagesSentToYou.map((m: { kind: string; outcome: string }) => `${m.kind}:${m.outcome}`)).toContain('consent-request:sent');
    expect(email.forwardedToClerk).toHaveLength(1);
    expect(email.case).toMatchObject({ status: 'open' });
    expect(report.consentPerMatter.length).toBeGreaterThan(0);

    // Nothing about Sam anywhere in what is handed over.
    const everything = readTree(outDir);
    for (const trace of [SAM.email, SAM.phone, SAM.words, 'Sam Smith', refs[`email:${SAM.email}`]!, refs[`sms:${SAM.phone}`]!, hashSender(SAM.email, KEY)]) {
      expect(everything).not.toContain(trace);
    }
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    expect(html).toContain(JO.words);
    expect(html).toContain('Not searched by this report');

    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
    expect(manifest.searched.map((s: { source: string }) => s.source).join('\n')).toMatch(/bySender[\s\S]*minimal logs[\s\S]*consent ledger/);
    expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(['report.json', 'report.html']);

    // The export is in the chain: who, when, how many; not who it was about.
    const events = [];
    for await (const e of audit.chainEvents()) events.push(e);
    const exported = events.filter((e) => e.type === 'sar-exported');
    expect(exported).toHaveLength(1);
    expect(exported[0]!.data).toMatchObject({ by: 'dpo-test', caseRef: 'SAR-2026-001', items: 3, informal: 1, identities: 3 });
    const eventText = JSON.stringify(exported[0]);
    for (const trace of [JO.email, JO.phone, JO.psid, JO.words, hashSender(JO.email, KEY), refs[`email:${JO.email}`]!]) expect(eventText).not.toContain(trace);
  });

  it('refuses a directory that already holds files', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'dp-sar-full-'));
    writeFileSync(join(outDir, 'old.txt'), 'x');
    await expect(dp(['sar', 'export', '--sender', JO.email, '--out', outDir])).rejects.toThrow(/not empty/);
  });
});

describe('legal hold, erasure and the retention sweep', () => {
  it('a hold refuses erasure; lifting it lets erasure proceed, and verify stays green', async () => {
    const samEmail = refs[`email:${SAM.email}`]!;
    expect((await dp(['hold', 'add', samEmail.toLowerCase(), '--reason', 'FOI-2026-007'])).code).toBe(0);
    expect((await dp(['hold', 'list'])).text).toContain(`${samEmail}  since`);

    const refused = await dp(['erase', '--reference', samEmail, '--reason', 'ERASE-2026-002']);
    expect(refused.code).toBe(1);
    expect(refused.text).toMatch(/legal hold \(FOI-2026-007\)/);
    expect((await audit.getContent(samEmail))?.content?.text).toContain(SAM.words);

    // A request covering the held item and others is refused as a whole.
    const bySender = await dp(['erase', '--sender', SAM.email, '--reason', 'ERASE-2026-002']);
    expect(bySender.code).toBe(1);
    expect((await audit.getContent(samEmail))?.content).toBeDefined();
  });

  it('erasing Jo removes content, raw mail and operational records, keeps the chain verifiable, and show says why', async () => {
    const joEmail = refs[`email:${JO.email}`]!;
    const before = (await audit.getContent(joEmail))!.contentHash;
    expect(existsSync(join(mailDir, 'inbound', JO.rawId))).toBe(true);
    expect(existsSync(join(mailDir, 'content', policy.council.id, `${refs.big}.json`))).toBe(true);

    const run = await dp(['erase', '--sender', JO.email, '--sender', JO.phone, '--sender', JO.psid, '--reason', 'ERASE-2026-001']);
    expect(run.code, run.text).toBe(0);
    expect(run.text).toContain(`Erased ${joEmail}`);
    expect(run.text).toMatch(/Removed 1 informal message log/);

    const content = await audit.getContent(joEmail);
    expect(content?.content).toBeUndefined();
    expect(content?.contentHash).toBe(before);
    expect(existsSync(join(mailDir, 'inbound', JO.rawId))).toBe(false);
    expect(existsSync(join(mailDir, 'inbound', SAM.rawId))).toBe(true);
    // The long letter's body in the bucket goes with its record.
    expect(existsSync(join(mailDir, 'content', policy.council.id, `${refs.big}.json`))).toBe(false);
    expect((await audit.getContent(refs.big!))?.content).toBeUndefined();
    // The clerk's case keeps its status but can no longer reach Jo.
    const joCase = await cases.get(joEmail);
    expect(joCase?.status).toBe('open');
    expect(joCase?.target).toBeUndefined();
    expect(joCase?.answerBlock).toBe('personal-data-erased');
    expect((await cases.get(refs[`email:${SAM.email}`]!))?.target).toBeDefined();

    expect((await auditCli(['verify'])).code).toBe(0);
    const shown = await auditCli(['show', joEmail]);
    expect(shown.text).toMatch(/erased on 2026-04-01 because ERASE-2026-001/);
    expect(shown.text).not.toContain(JO.words);
    const erasedEvent = (await audit.eventsFor(joEmail)).find((e) => e.type === 'personal-data-erased')!;
    expect(erasedEvent.data).toMatchObject({ reason: 'ERASE-2026-001', basis: 'request', by: 'dpo-test', contentHash: before });

    // Nothing left to find by sender; Sam untouched.
    const outDir = join(mkdtempSync(join(tmpdir(), 'dp-sar-after-')), 'jo');
    await dp(['sar', 'export', '--sender', JO.email, '--sender', JO.phone, '--sender', JO.psid, '--out', outDir]);
    const after = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8'));
    expect(after.items).toEqual([]);
    expect(after.informalMessages).toEqual([]);
    expect(readTree(outDir)).not.toContain(JO.words);
    expect((await audit.getContent(refs[`sms:${SAM.phone}`]!))?.content?.text).toContain(SAM.words);
  });

  it('the sweep at 6 years and a day removes formal content, skips the held item, records the run, and the chain verifies', async () => {
    const samEmail = refs[`email:${SAM.email}`]!;
    const samSms = refs[`sms:${SAM.phone}`]!;
    const deps = { audit: sweepAudit, holds: sweepHolds, policy, rawMail: new FileRawMailEraser(mailDir), now: () => new Date('2032-03-10T12:00:00.000Z') };

    // Exactly six years on, the content is still within retention.
    expect((await sweepRetention(deps)).removed).toEqual([]);

    const dayAfter = await sweepRetention({ ...deps, now: () => new Date('2032-03-11T12:00:00.000Z') });
    expect(dayAfter.removed).toEqual([samSms]);
    expect(dayAfter.held).toEqual([samEmail]);
    expect((await audit.getContent(samSms))?.content).toBeUndefined();
    expect((await audit.getContent(samEmail))?.content?.text).toContain(SAM.words);
    expect((await audit.getSummary(samSms))?.erased?.reason).toMatch(/^retention: formal records are kept 6 years \(stilton\.txt §13/);

    const events = [];
    for await (const e of audit.chainEvents()) events.push(e);
    const swept = events.filter((e) => e.type === 'retention-swept');
    expect(swept).toHaveLength(1);
    expect(swept[0]!.data).toMatchObject({ removed: 1, refs: [samSms], heldBack: [samEmail] });
    expect((await audit.verify()).ok).toBe(true);

    // Once the hold is lifted, the next run removes it.
    expect((await dp(['hold', 'remove', samEmail, '--reason', 'FOI-2026-007 closed'])).code).toBe(0);
    const next = await sweepRetention({ ...deps, now: () => new Date('2032-03-12T12:00:00.000Z') });
    expect(next.removed).toEqual([samEmail]);
    expect((await audit.verify()).ok).toBe(true);
    expect((await auditCli(['verify'])).text).toMatch(/^OK/);
  });
});
