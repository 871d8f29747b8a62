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
import { hashSender } from '../../shared/store/hash.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import { CaseStore } from '../../shared/store/case-store.ts';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { lastMessageKey } from '../../shared/answers/plan.ts';
import { keyClassOf } from '../../shared/dataprotection/key-classes.ts';
import { countOffence } from '../../shared/moderation/offenders.ts';
import { recordClerkConsent } from '../../shared/pipeline/consent-record.ts';

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
// Kim wrote only informally: a Messenger message and an email the provider marked as spam (no audited item, so no reference).
const KIM = { email: 'kim.jones@example.com', psid: '7003', words: 'Kim-only-words', rawId: 'ses-msg-k3' };

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
      text: `Dear Clerk, the hedges need cutting. Please send me copies of the hedge-cutting contract. ${person.words}`,
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
    await deliverOutboxMessage(message, {
      ops: deliverOps,
      audit: () => deliverAudit,
      send: async () => ({ status: 'sent', provider: 'fake', providerMessageId: `p-${message.id}` }),
      now: () => new Date(RECEIVED),
    });
  }
}

function capture() {
  let text = '';
  return { out: { write: (t: string) => void (text += t) }, text: () => text };
}

function context(out: { write(t: string): void }, now = new Date('2026-04-01T09:00:00.000Z')): DpContext {
  return {
    audit,
    holds,
    ops,
    rawMail: new FileRawMailEraser(mailDir),
    bodies: new FileMailStore(mailDir),
    senderKey: KEY,
    policy,
    operator: 'dpo-test',
    out,
    now: () => now,
  };
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
  for (const item of [...itemsOf(JO, 'Jo Bloggs'), ...itemsOf(SAM, 'Sam Smith'), ...kimsItems()]) await ingest(item, deps);
  await addRecordsOfOtherModules();
  // A body too large for a DynamoDB record: its full text goes to the bucket (content/), the record keeps the start.
  const big = {
    ...itemsOf(JO, 'Jo Bloggs')[0]!,
    itemId: 'email:big',
    providerMessageId: 'm-big',
    raw: undefined,
    text: `${'Long letter. '.repeat(30_000)}${JO.words}-at-the-end`,
  };
  await ingest(big, deps, 'big');
}, 60_000);

afterAll(async () => emu?.stop());

function kimsItems(): InboundItem[] {
  writeFileSync(join(mailDir, 'inbound', KIM.rawId), `From: ${KIM.email}\r\n\r\n${KIM.words}\r\n`);
  return [
    base('messenger', { sender: { id: KIM.psid }, recipients: [policy.contacts.messengerPageId!], text: `Is the play area open? ${KIM.words}` }),
    base('email', {
      itemId: `ses:${KIM.rawId}`,
      sender: { id: KIM.email, name: 'Kim Jones' },
      recipients: [policy.contacts.clerk.address],
      subject: 'Offer',
      text: `Cheap loans ${KIM.words}`,
      transport: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'FAIL', virus: 'PASS', returnPath: KIM.email },
      raw: { bucket: 'local-mail', key: `inbound/${KIM.rawId}` },
    }),
  ];
}

/**
 * Records other modules write about a person, made by their own code: the
 * clerk's consent note (hub consent record), a Page author's offences
 * (moderation), and the clerk's email reply to Jo (its raw mail, and the
 * event answer.ts records naming it).
 */
async function addRecordsOfOtherModules(): Promise<void> {
  const consentAudit = new AuditStore({
    client: bindPrincipal(createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint }), 'consentForm'),
    tableName: emu.tableNames.audit,
    council: policy.council.id,
  });
  for (const [person, key] of [
    [JO, `email:${JO.email}`],
    [SAM, `email:${SAM.email}`],
  ] as const) {
    const noted = await recordClerkConsent(
      {
        ref: refs[key]!,
        answer: 'granted',
        how: 'phone',
        note: `Rang on 11 March; ${person.words} agreed`,
        recordedBy: 'clerk',
        at: new Date('2026-03-11T10:00:00.000Z'),
      },
      { policy, audit: consentAudit, ops: opsStore },
    );
    expect(noted.ok).toBe(true);
    await countOffence(opsStore, hashSender(person.psid, KEY), `facebook-comment:${person.psid}`, RECEIVED, 30);
  }
  writeFileSync(join(mailDir, 'inbound', 'clerk-reply-jo'), `From: ${policy.contacts.clerk.address}\r\n\r\nDear Jo, about ${JO.words}\r\n`);
  const joEmail = refs[`email:${JO.email}`]!;
  await pipelineAudit.append({
    ref: joEmail,
    itemId: (await pipelineAudit.getSummary(joEmail))!.itemId,
    type: 'answer-received',
    at: '2026-03-12T09:00:00.000Z',
    data: { replyItemId: 'ses:clerk-reply-jo', by: 'clerk', channel: 'email', contentHash: 'x'.repeat(64) },
    eventKey: 'ses:clerk-reply-jo:answer-received',
  });
}

async function scanAll(table: string): Promise<Record<string, unknown>[]> {
  const client = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

const opsRecord = async (pk: string) => (await scanAll(emu.tableNames.ops)).find((i) => i.pk === pk);

describe('key classes', () => {
  it('every record the pipeline and the other modules wrote is of a class the data-protection scan knows', async () => {
    const found = new Set<string>();
    for (const [store, table] of [
      ['audit', emu.tableNames.audit],
      ['ops', emu.tableNames.ops],
    ] as const) {
      for (const item of await scanAll(table)) {
        const keyClass = keyClassOf(store, String(item.pk), String(item.sk));
        expect(keyClass, `${store} ${String(item.pk).split('#')[0]}`).toBeDefined();
        found.add(keyClass!.id);
      }
    }
    // The classes this test's records exercise (the rest are checked against the source in the unit test).
    for (const id of ['consent-note', 'theme', 'last-message', 'due-case-reminder', 'offences', 'consent-open', 'minimal-log', 'case', 'item-content'])
      expect(found).toContain(id);
  });
});

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
    // Records of the other modules: the clerk's note, the day's theme with Jo's example, the Messenger time, offences, reminders, raw copies.
    expect(report.consentNotes.map((n: { note: string }) => n.note)).toEqual([`Rang on 11 March; ${JO.words} agreed`]);
    expect(report.digestThemes).toEqual([{ day: '2026-03-10', topic: 'Meetings and the council', example: `When is the next meeting? ${JO.words}` }]);
    expect(report.messengerLastMessage).toEqual([RECEIVED]);
    expect(report.moderationOffences).toEqual([RECEIVED]);
    expect(report.openConsentRequest.length).toBeGreaterThan(0);
    expect(
      report.openConsentRequest.every((o: { ref: string }) =>
        Object.entries(refs).some(([k, ref]) => ref === o.ref && (k.includes(JO.email) || k.includes(JO.phone) || k === 'big')),
      ),
    ).toBe(true);
    expect(report.caseReminders.length).toBeGreaterThan(0);
    expect(report.caseReminders.every((r: { ref: string }) => r.ref === refs[`email:${JO.email}`])).toBe(true);
    expect(report.rawMailCopies.map((c: { what: string }) => c.what).sort()).toEqual(["the clerk's email reply about it", 'your email as received']);
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    expect(html).toContain(JO.words);
    expect(html).toContain('Not searched by this report');

    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
    expect(manifest.searched.map((s: { source: string }) => s.source).join('\n')).toMatch(/bySender[\s\S]*minimal-log[\s\S]*consent-ledger/);
    expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(['report.json', 'report.html']);
    expect(manifest.unclassifiedRecords).toEqual({});
    expect(manifest.searched.map((s: { source: string }) => s.source).join('\n')).toMatch(/consent-note[\s\S]*last-message[\s\S]*theme/);

    // Sam's report counts Sam in the same day's theme, without Jo's example.
    const samDir = join(mkdtempSync(join(tmpdir(), 'dp-sar-')), 'sam');
    expect((await dp(['sar', 'export', '--sender', SAM.psid, '--out', samDir])).code).toBe(0);
    const samReport = JSON.parse(readFileSync(join(samDir, 'report.json'), 'utf8'));
    expect(samReport.digestThemes).toEqual([{ day: '2026-03-10', topic: 'Meetings and the council' }]);
    expect(readTree(samDir)).not.toContain(JO.words);

    // The export is in the chain: who, when, how many; not who it was about.
    const events = [];
    for await (const e of audit.chainEvents()) events.push(e);
    const exported = events.filter((e) => e.type === 'sar-exported');
    expect(exported).toHaveLength(2);
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

    const themeKey = 'THEME#2026-03-10';
    const joMessenger = (await opsRecord(themeKey))!.exampleItemId as string;
    expect(existsSync(join(mailDir, 'inbound', 'clerk-reply-jo'))).toBe(true);

    const run = await dp(['erase', '--sender', JO.email, '--sender', JO.phone, '--sender', JO.psid, '--reason', 'ERASE-2026-001']);
    expect(run.code, run.text).toBe(0);
    expect(run.text).toMatch(/Recorded in the audit trail \(subject-erased, reference ERASE-20260401-[0-9A-F]{6}\)/);
    expect(run.text).toContain(`Erased ${joEmail}`);
    expect(run.text).toMatch(/Removed 1 informal message log/);

    const content = await audit.getContent(joEmail);
    expect(content?.content).toBeUndefined();
    expect(content?.contentHash).toBe(before);
    expect(existsSync(join(mailDir, 'inbound', JO.rawId))).toBe(false);
    expect(existsSync(join(mailDir, 'inbound', SAM.rawId))).toBe(true);
    // The clerk's emailed reply to Jo (it answers and may quote Jo) goes too.
    expect(existsSync(join(mailDir, 'inbound', 'clerk-reply-jo'))).toBe(false);
    // Every other class found for Jo is gone or scrubbed; Sam's records of the same classes stay.
    const ops = await scanAll(emu.tableNames.ops);
    const notes = ops.filter((i) => String(i.pk).startsWith('CONSENT-NOTE#')).map((i) => (i.value as { note: string }).note);
    expect(notes).toEqual([`Rang on 11 March; ${SAM.words} agreed`]);
    const theme = ops.find((i) => i.pk === themeKey)!;
    expect(theme.example).toBeUndefined();
    expect([...(theme.itemIds as Set<string>)]).not.toContain(joMessenger);
    expect((theme.itemIds as Set<string>).size).toBe(1);
    // The count is no one's personal data: the day's digest still says two people asked about meetings.
    expect(theme.n).toBe(2);
    const remaining = (prefix: string) => ops.filter((i) => String(i.pk).startsWith(prefix)).map((i) => String(i.pk));
    expect(remaining('LASTMSG#').sort()).toEqual([lastMessageKey(SAM.psid), lastMessageKey(KIM.psid)].sort());
    expect(remaining('OFFENCES#')).toEqual([`OFFENCES#${hashSender(SAM.psid, KEY)}`]);
    expect(remaining('CONSENT-OPEN#').some((pk) => [JO.email, JO.phone].some((id) => pk.endsWith(hashSender(id, KEY))))).toBe(false);
    expect(remaining('CONSENT-MATTERS#').some((pk) => pk.endsWith(joEmail))).toBe(false);
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

  it('erasing someone who wrote only informally removes their logs and raw mail, and the request is audited without personal data', async () => {
    expect(existsSync(join(mailDir, 'inbound', KIM.rawId))).toBe(true);
    const run = await dp(['erase', '--sender', KIM.email, '--sender', KIM.psid, '--reason', 'ERASE-2026-003']);
    expect(run.code, run.text).toBe(0);
    expect(run.text).toMatch(/Removed 2 informal message logs/);
    expect(existsSync(join(mailDir, 'inbound', KIM.rawId))).toBe(false);
    expect((await scanAll(emu.tableNames.ops)).some((i) => i.senderHash === hashSender(KIM.email, KEY) || i.pk === lastMessageKey(KIM.psid))).toBe(false);

    const events = [];
    for await (const e of audit.chainEvents()) events.push(e);
    const erasures = events.filter((e) => e.type === 'subject-erased');
    const kims = erasures.find((e) => e.data.reason === 'ERASE-2026-003')!;
    expect(kims.data).toMatchObject({ by: 'dpo-test', basis: 'request', identities: 2, items: 0, informal: 2 });
    expect(kims.at).toBe('2026-04-01T09:00:00.000Z');
    const text = JSON.stringify(kims);
    for (const trace of [KIM.email, KIM.psid, KIM.words, KIM.rawId, hashSender(KIM.email, KEY), hashSender(KIM.psid, KEY), lastMessageKey(KIM.psid).slice(17)])
      expect(text).not.toContain(trace);
    expect((await auditCli(['verify'])).code).toBe(0);
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
