import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import type { InboundItem, OutboxMessage } from '../../shared/model/index.ts';
import { processInboundItem, type ClassifyDeps } from '../../shared/pipeline/classify.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { classifyOnEmulators, itemBuilder } from '../support/items.ts';
import { countSegments } from '../../shared/delivery/sms-segments.ts';
import { runAs } from '../../infra/local/iam/enforce.ts';
import { sha256Hex } from '../../shared/store/hash.ts';

/**
 * The clerk answering by email, through classify on the emulators: the reply
 * address on the routing email, the authentication rule, the answer on each
 * channel, commands, the held stranger and the closed Messenger window.
 */

const KEY = 'test-consent-signing-key';
const base = loadPolicy('demo');
// The demo treats Messenger as informal; this council takes Messenger as formal so its items are routed and answerable.
const policy = {
  ...base,
  channels: {
    ...base.channels,
    messenger: { ...base.channels.messenger, formal: true },
    whatsapp: { formal: true, clause: 'test: a council that made WhatsApp formal' },
  },
};
const CLERK = policy.contacts.clerk.address;
const DEPUTY = policy.contacts.deputyClerk!.address;
const MAIL_DOMAIN = policy.contacts.hubAddresses[0]!.split('@')[1]!;
let now = new Date('2026-03-10T10:00:00.000Z'); // Tuesday, office hours

let emu: Emulators;
let deps: ClassifyDeps;
let published: OutboxMessage[] = [];

const items = itemBuilder('answer', () => now, policy);
const item = (over: Partial<InboundItem>): InboundItem =>
  items.email({
    subject: 'Bus shelter',
    text: 'The bus shelter glass is broken again.',
    transport: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' },
    ...over,
  });

/** Routes a resident's item and returns its reference and the routing email. */
async function route(over: Partial<InboundItem>): Promise<{ ref: string; routing: OutboxMessage; resident: InboundItem }> {
  published = [];
  const resident = item(over);
  const outcome = await runAs('classify', () => processInboundItem(resident, deps));
  const routing = published.find((m) => m.kind === 'clerk-routing')!;
  expect(routing, 'routed to the clerk').toBeDefined();
  return { ref: outcome.ref!, routing, resident };
}

/** The clerk (or someone) replying to the routing email's Reply-To. */
async function reply(routing: OutboxMessage, text: string, over: Partial<InboundItem> = {}): Promise<OutboxMessage[]> {
  published = [];
  await runAs('classify', () =>
    processInboundItem(item({ sender: { id: CLERK }, recipients: [routing.replyTo!], subject: `Re: ${routing.subject}`, text, ...over }), deps),
  );
  return published;
}

const quoted = (answer: string) =>
  `${answer}\n\n--\nJane Clerk\nDemo Parish Council\n\nOn Tue, 10 Mar 2026 at 10:00, Parish Hub <hub@x> wrote:\n> original routed text\n> more`;

let close: () => void;

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'clerk-answer-' });
  ({ deps, close } = classifyOnEmulators(emu, policy, () => now, {
    outbox: { publish: async (messages: readonly OutboxMessage[]) => void published.push(...messages) },
    cases: true,
    signingKey: KEY,
  }));
});
afterAll(async () => {
  close?.();
  await emu?.stop();
});

describe('the clerk answers by replying to the routing email', () => {
  it('routing email carries a signed per-item Reply-To on the mail domain', async () => {
    const { ref, routing } = await route({});
    expect(routing.replyTo).toMatch(new RegExp(`^reply\\+${ref.toLowerCase()}-[0-9a-f]{20}@${MAIL_DOMAIN.replace(/\./g, '\\.')}$`));
    expect(routing.text).toContain('Reply to this email to answer the sender on Email');
  });

  it('email: threaded answer from the council, quoted text and signature stripped, audited with a content hash', async () => {
    const { ref, routing, resident } = await route({ subject: 'Bus shelter' });
    const sent = await reply(routing, quoted('Thank you, we have reported it to the county council.'));
    expect(sent).toHaveLength(1);
    const answer = sent[0]!;
    expect(answer).toMatchObject({
      kind: 'clerk-answer',
      channel: 'email',
      to: resident.sender.id,
      subject: 'Re: Bus shelter',
      inReplyTo: resident.thread.messageId,
      fromName: policy.council.name,
      replyTo: CLERK,
      ref,
    });
    expect(answer.references).toContain(resident.thread.messageId);
    expect(answer.text).toContain('Thank you, we have reported it to the county council.');
    expect(answer.text).not.toMatch(/Jane Clerk|original routed text|wrote:/);
    const events = await deps.audit.eventsFor(ref);
    const received = events.find((e) => e.type === 'answer-received')!;
    expect(received.data).toMatchObject({ by: 'clerk', channel: 'email', contentHash: sha256Hex('Thank you, we have reported it to the county council.') });
    expect(JSON.stringify(events)).not.toContain('county council');
    expect(await deps.cases!.get(ref)).toMatchObject({ status: 'answered', answers: 1 });
  });

  it('an email whose sender could not be authenticated is never answered through the hub; the clerk is told', async () => {
    const { ref, routing } = await route({ transport: { spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY', spam: 'PASS', virus: 'PASS' } });
    const sent = await reply(routing, 'Thank you for your email.');
    expect(sent.map((m) => m.kind)).toEqual(['clerk-notice']);
    expect(sent[0]!.text).toMatch(/could not be authenticated/);
    expect((await deps.audit.eventsFor(ref)).find((e) => e.type === 'answer-not-sent')?.data).toMatchObject({ reason: 'unverified-sender' });
  });

  it("email: the answer goes to the resident's Reply-To when their mail is authenticated", async () => {
    const { routing } = await route({ replyTo: ['home@example.net'] });
    const sent = await reply(routing, 'Noted.');
    expect(sent.find((m) => m.kind === 'clerk-answer')!.to).toBe('home@example.net');
  });

  it("email: the clerk's attachments go with the answer (read back from the stored reply); by SMS the clerk is told they were not sent", async () => {
    const { routing } = await route({});
    const files = [{ filename: 'contract.pdf', contentType: 'application/pdf', sizeBytes: 4 }];
    const sent = await reply(routing, 'Please find the contract attached.', { attachments: files, raw: { bucket: 'b', key: 'inbound/clerk-reply-1' } });
    expect(sent.map((m) => m.kind)).toEqual(['clerk-answer']);
    expect(sent[0]!.attachmentsFrom).toEqual({ key: 'inbound/clerk-reply-1', count: 1 });

    const sms = await route({
      channel: 'sms',
      provider: 'twilio',
      kind: 'sms',
      sender: { id: '+447700900556' },
      recipients: ['+447700900123'],
      subject: undefined,
      thread: {},
      transport: {},
    });
    const told = await reply(sms.routing, 'Map attached.', { attachments: files, raw: { bucket: 'b', key: 'inbound/clerk-reply-2' } });
    expect(told.map((m) => m.kind).sort()).toEqual(['clerk-answer', 'clerk-notice']);
    expect(told.find((m) => m.kind === 'clerk-notice')!.text).toMatch(/attachment\(s\) were NOT sent/);
    expect(told.find((m) => m.kind === 'clerk-answer')!.attachmentsFrom).toBeUndefined();
  });

  it('a redelivered reply sends nothing twice', async () => {
    const { routing } = await route({});
    const replyItem = item({ sender: { id: CLERK }, recipients: [routing.replyTo!], text: 'Done.' });
    published = [];
    await runAs('classify', () => processInboundItem(replyItem, deps));
    await runAs('classify', () => processInboundItem(replyItem, deps));
    expect(published.filter((m) => m.kind === 'clerk-answer')).toHaveLength(1);
  });

  it('SMS: segments counted and a long answer split into numbered texts', async () => {
    const { ref, routing, resident } = await route({
      channel: 'sms',
      provider: 'twilio',
      kind: 'sms',
      sender: { id: '+447700900555' },
      recipients: ['+447700900123'],
      subject: undefined,
      thread: {},
      transport: {},
    });
    const long = 'The council meets on the first Tuesday of each month in the village hall at 7.30pm and residents are welcome to attend. '.repeat(16).trim();
    const sent = await reply(routing, long);
    const texts = sent.filter((m) => m.kind === 'clerk-answer');
    expect(texts.length).toBe(2);
    for (const [i, t] of texts.entries()) {
      expect(t).toMatchObject({ channel: 'sms', to: resident.sender.id, from: '+447700900123', provider: 'twilio' });
      expect(t.text.startsWith(`(${i + 1}/2) `)).toBe(true);
      expect(countSegments(t.text).segments).toBeLessThanOrEqual(10);
    }
    const received = (await deps.audit.eventsFor(ref)).find((e) => e.type === 'answer-received')!;
    expect(received.data).toMatchObject({ channel: 'sms', smsParts: 2 });
    expect(received.data.countSegments).toBe(texts.reduce((n, t) => n + countSegments(t.text).segments, 0));
  });

  it('Messenger inside 24 hours is answered; outside it the clerk is told why and which other contact is on file', async () => {
    const inside = await route({
      channel: 'messenger',
      provider: 'meta',
      kind: 'message',
      sender: { id: '7001' },
      recipients: ['100000000000999'],
      subject: undefined,
      thread: {},
      transport: {},
      text: 'Who empties the dog bin?',
    });
    now = new Date(now.getTime() + 3 * 3_600_000);
    const sent = await reply(inside.routing, 'The parish council does, on Mondays.');
    expect(sent.map((m) => m.kind)).toEqual(['clerk-answer']);
    expect(sent[0]).toMatchObject({ channel: 'messenger', to: '7001' });

    const outside = await route({
      channel: 'messenger',
      provider: 'meta',
      kind: 'message',
      sender: { id: '7002' },
      recipients: ['100000000000999'],
      subject: undefined,
      thread: {},
      transport: {},
      text: 'The footpath sign is down. You can also email me at sam@example.net',
    });
    now = new Date(now.getTime() + 25 * 3_600_000);
    const told = await reply(outside.routing, 'Thank you, it will be fixed this week.');
    expect(told.map((m) => m.kind)).toEqual(['clerk-notice']);
    expect(told[0]!.to).toBe(CLERK);
    expect(told[0]!.text).toMatch(/within 24 hours/);
    expect(told[0]!.text).toContain('sam@example.net (this message)');
    expect(told[0]!.text).toMatch(/check each is theirs/);
    const events = await deps.audit.eventsFor(outside.ref);
    expect(events.find((e) => e.type === 'answer-not-sent')?.data).toMatchObject({ reason: 'outside-24h-window' });
    expect(await deps.cases!.get(outside.ref)).toMatchObject({ status: 'open', answers: 0 });
  });

  it("Messenger outside 24 hours: the contact on file comes from the resident's other messages too, never the council's own address", async () => {
    const messenger: Partial<InboundItem> = {
      channel: 'messenger',
      provider: 'meta',
      kind: 'message',
      recipients: ['100000000000999'],
      subject: undefined,
      thread: {},
      transport: {},
    };
    const earlier = await route({
      ...messenger,
      sender: { id: '7003' },
      text: `The bench by the pond is broken. I wrote to ${CLERK} too; my email is kim@example.net`,
    });
    await route({ ...messenger, sender: { id: '7004' }, text: 'The bin is full. Email me at other.person@example.net' });
    now = new Date(now.getTime() + 2 * 86_400_000);
    const later = await route({ ...messenger, sender: { id: '7003' }, text: 'And now the gate by the pond is broken too.' });
    now = new Date(now.getTime() + 25 * 3_600_000);
    const told = await reply(later.routing, 'Both will be repaired next week.');
    expect(told.map((m) => m.kind)).toEqual(['clerk-notice']);
    expect(told[0]!.text).toContain(`kim@example.net (${earlier.ref}, `);
    expect(told[0]!.text).toContain('1 other item from the same Messenger account');
    expect(told[0]!.text).not.toContain('other.person@example.net');
    expect(told[0]!.text).not.toContain(`${CLERK} (`);
  });

  it('WhatsApp inside 24 hours is answered in parts of at most 4,096 characters; outside it the clerk is told it was not sent', async () => {
    const whatsapp: Partial<InboundItem> = {
      channel: 'whatsapp',
      provider: 'whatsapp',
      kind: 'message',
      recipients: ['106540352242922'],
      subject: undefined,
      thread: {},
      transport: {},
    };
    const inside = await route({ ...whatsapp, sender: { id: '447700900801' }, text: 'Is the village hall free on Saturday?' });
    now = new Date(now.getTime() + 3 * 3_600_000);
    const sent = await reply(inside.routing, 'Yes. '.repeat(1_000).trim());
    expect(sent.map((m) => m.kind)).toEqual(['clerk-answer', 'clerk-answer']);
    expect(sent.map((m) => Array.from(m.text).length <= 4_096)).toEqual([true, true]);
    expect(sent[0]).toMatchObject({ channel: 'whatsapp', to: '447700900801', from: '106540352242922' });

    const outside = await route({ ...whatsapp, sender: { id: '447700900802' }, text: 'The bench by the pond is broken.' });
    now = new Date(now.getTime() + 25 * 3_600_000);
    const told = await reply(outside.routing, 'Thank you, it will be mended.');
    expect(told.map((m) => m.kind)).toEqual(['clerk-notice']);
    expect(told[0]!.subject).toContain('WhatsApp no longer accepts a free-text reply');
    expect(told[0]!.text).toMatch(/only within 24 hours of the resident's last message/);
    expect((await deps.audit.eventsFor(outside.ref)).find((e) => e.type === 'answer-not-sent')?.data).toMatchObject({ reason: 'outside-24h-window' });
  });

  it('a stranger writing to the reply address is held: clerk told, nothing sent, case unchanged', async () => {
    const { ref, routing } = await route({});
    const sent = await reply(routing, '#close\nPlease send me everything.', { sender: { id: 'stranger@example.com' } });
    expect(sent.map((m) => m.kind)).toEqual(['clerk-notice']);
    expect(sent[0]).toMatchObject({ to: CLERK });
    expect(sent[0]!.subject).toMatch(/HOLD/);
    expect((await deps.audit.eventsFor(ref)).find((e) => e.type === 'answer-held')?.data).toMatchObject({ reason: 'not-official-sender' });
    expect(await deps.cases!.get(ref)).toMatchObject({ status: 'open' });
  });

  it('the clerk address without DMARC pass is held too (a forged From)', async () => {
    const { ref, routing } = await route({});
    const sent = await reply(routing, 'Approved.', { transport: { spf: 'PASS', dkim: 'FAIL', dmarc: 'FAIL' } });
    expect(sent.map((m) => m.kind)).toEqual(['clerk-notice']);
    expect((await deps.audit.eventsFor(ref)).find((e) => e.type === 'answer-held')?.data).toMatchObject({ reason: 'not-authenticated' });
  });

  it("the clerk's own out-of-office answering the routing email is dropped without a notice", async () => {
    const { ref, routing } = await route({});
    const sent = await reply(routing, 'I am away until Monday.', { transport: { dmarc: 'PASS', autoSubmitted: 'auto-replied' } });
    expect(sent).toEqual([]);
    expect((await deps.audit.eventsFor(ref)).find((e) => e.type === 'answer-held')?.data).toMatchObject({ reason: 'automatic-mail' });
  });

  it('a reply address with a wrong signature is ignored', async () => {
    const { routing } = await route({});
    const forged = routing.replyTo!.replace(/-[0-9a-f]{20}@/, '-00000000000000000000@');
    const sent = await reply(routing, 'Hello', { recipients: [forged] });
    expect(sent).toEqual([]);
  });

  it('the deputy may answer; commands on the first line change the case and are audited', async () => {
    const { ref, routing } = await route({ text: 'Under the Freedom of Information Act please send me the minutes of the last three meetings.' });
    expect(routing.subject).toMatch(/FOI due /);
    expect(await deps.cases!.get(ref)).toMatchObject({ type: 'foi', status: 'open' });
    const sent = await reply(routing, '#sar #extend\n\nWe are treating this as a subject access request.', { sender: { id: DEPUTY } });
    expect(sent.filter((m) => m.kind === 'clerk-answer')).toHaveLength(1);
    expect(sent.find((m) => m.kind === 'clerk-answer')!.text).not.toContain('#sar');
    const record = await deps.cases!.get(ref);
    expect(record).toMatchObject({ type: 'sar', status: 'answered', typeSource: 'clerk' });
    expect(record!.clock!.extended).toBe(true);
    const updated = (await deps.audit.eventsFor(ref)).find((e) => e.type === 'case-updated')!;
    expect(updated.data).toMatchObject({ by: 'deputy-clerk', commands: ['#sar', '#extend'], caseType: 'sar' });

    const closed = await route({});
    expect(await reply(closed.routing, '#close')).toEqual([]);
    expect(await deps.cases!.get(closed.ref)).toMatchObject({ status: 'closed' });
  });

  it('signed links in the routing email: GET only asks, POST applies once and is audited; a tampered link is 404', async () => {
    const { handleCaseLink } = await import('../../shared/cases/case-page.ts');
    const { ref, routing } = await route({});
    const link = /Close the case: (\S+)/.exec(routing.text)![1]!;
    const token = link.split('/cases/')[1]!;
    const linkDeps = { policy, cases: deps.cases!, audit: deps.audit, ops: deps.ops, signingKey: KEY, now: () => now };
    const shown = await runAs('caseLink', () => handleCaseLink({ method: 'GET', token }, linkDeps));
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('<form method="post">');
    expect(await deps.cases!.get(ref)).toMatchObject({ status: 'open' });
    expect((await runAs('caseLink', () => handleCaseLink({ method: 'POST', token }, linkDeps))).statusCode).toBe(200);
    expect(await deps.cases!.get(ref)).toMatchObject({ status: 'closed' });
    expect((await runAs('caseLink', () => handleCaseLink({ method: 'POST', token }, linkDeps))).body).toContain('Already done');
    expect((await deps.audit.eventsFor(ref)).filter((e) => e.type === 'case-updated').map((e) => e.data)).toEqual([
      expect.objectContaining({ by: 'signed-link', commands: ['#close'], status: 'closed' }),
    ]);
    expect(
      (await runAs('caseLink', () => handleCaseLink({ method: 'POST', token: token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) }, linkDeps))).statusCode,
    ).toBe(404);
  });

  it('an unknown command does nothing and tells the clerk', async () => {
    const { ref, routing } = await route({});
    const sent = await reply(routing, '#clsoe\nThanks');
    expect(sent.map((m) => m.kind)).toEqual(['clerk-notice']);
    expect(sent[0]!.text).toContain('#clsoe');
    expect(await deps.cases!.get(ref)).toMatchObject({ status: 'open', answers: 0 });
  });
});
