import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAs } from '../../infra/local/iam/enforce.ts';
import type { SQSEvent } from 'aws-lambda';
import { startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { InboundItem, type OutboxMessage } from '../../shared/model/index.ts';
import { processInboundItem, senderHashOf, type ClassifyDeps } from '../../shared/pipeline/classify.ts';
import { verifyConsentToken } from '../../shared/pipeline/consent-token.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { sqsBatchHandler } from '../../shared/queue/consume.ts';
import type { AuditStore } from '../../shared/store/audit-store.ts';
import { classifyOnEmulators, itemBuilder } from '../support/items.ts';
import { FileMailStore } from '../../shared/channels/raw-mail-store.ts';
import { QUEUES } from '../../shared/topology.ts';

const KEY = 'test-consent-signing-key';
const policy = loadPolicy('stilton');
// Tuesday 10 March 2026, 10:00 in London: inside office hours.
let now = new Date('2026-03-10T10:00:00.000Z');

let emu: Emulators;
let deps: ClassifyDeps;
let seq = 0;

const items = itemBuilder('msg', () => now, policy);
/** A resident's email with markup in its text and an attachment (the routing email must show both safely). */
function email(over: Partial<InboundItem> = {}): InboundItem {
  const item = items.email({
    text: 'Dear Clerk, there is a pothole <script>alert(1)</script> outside number 12.',
    attachments: [{ filename: 'pothole.jpg', contentType: 'image/jpeg', sizeBytes: 2048 }],
    ...over,
  });
  return over.sender ? item : { ...item, sender: { ...item.sender, name: 'A Resident' } };
}
const messenger = items.messenger;

async function summaries(audit: AuditStore, itemId: string) {
  const all = [];
  for await (const s of audit.listSummaries({})) if (s.itemId === itemId) all.push(s);
  return all;
}

let drainOutbox: () => Promise<OutboxMessage[]>;
let close: () => void;

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'pipeline-classify-' });
  ({ deps, drainOutbox, close } = classifyOnEmulators(emu, policy, () => now, { signingKey: KEY }));
});
afterAll(async () => {
  close?.();
  await emu?.stop();
});
beforeEach(async () => {
  await drainOutbox();
});

describe('classify on the emulators (stilton policy)', () => {
  it('formal email: summary, content, events, then clerk routing and a signed consent request', async () => {
    const item = email();
    const outcome = await runAs('classify', () => processInboundItem(item, deps));
    expect(outcome).toMatchObject({ classification: 'formal', duplicate: false });
    expect(outcome.ref).toMatch(/^STL-2026-\d{6}$/);
    const ref = outcome.ref!;

    const summary = await deps.audit.getSummary(ref);
    expect(summary).toMatchObject({ itemId: item.itemId, channel: 'email', classification: 'formal', consentStatus: 'requested', day: '2026-03-10' });
    expect(summary!.retainUntil > '2027-01-01').toBe(true);
    expect((await deps.audit.getContent(ref))?.content?.text).toBe(item.text);
    const events = await deps.audit.eventsFor(ref);
    expect(events.map((e) => e.type)).toEqual(['received', 'classified', 'routed', 'consent-requested']);
    // No personal data inside the chain.
    expect(JSON.stringify(events)).not.toMatch(/resident\d+@example\.org|pothole/i);

    const messages = await drainOutbox();
    expect(messages.map((m) => m.kind).sort()).toEqual(['clerk-routing', 'consent-request']);
    const routing = messages.find((m) => m.kind === 'clerk-routing')!;
    expect(routing).toMatchObject({ to: 'clerk@stiltonparishcouncil.org', replyTo: item.sender.id, ref, id: `${item.itemId}:clerk-routing` });
    expect(routing.text).toContain(item.text);
    expect(routing.text).toContain('pothole.jpg');
    expect(routing.text).toMatch(/do not pass .* on to anyone outside the Council/);
    expect(routing.html).toContain('&lt;script&gt;');
    expect(routing.html).not.toContain('<script>');

    const request = messages.find((m) => m.kind === 'consent-request')!;
    expect(request).toMatchObject({ channel: 'email', to: item.sender.id, ref, inReplyTo: item.thread.messageId });
    const token = /https:\/\/hub\.example\.org\/consent\/([A-Za-z0-9_.-]+)/.exec(request.text)?.[1];
    expect(token).toBeDefined();
    const check = verifyConsentToken(token!, KEY, now, policy.council.id);
    expect(check).toMatchObject({ ok: true, claims: { council: 'stilton', ref } });

    const reminders = await deps.ops.queryDue('consent-reminder', new Date(now.getTime() + policy.consent.reminderAfterDays * 86_400_000).toISOString());
    expect(reminders.map((r) => r.key)).toContain(ref);
    expect(await deps.ops.queryDue('consent-reminder', now.toISOString())).toEqual([]);
  });

  it('informal Messenger: a minimal log and one auto-reply; a second message within 7 days gets none', async () => {
    const first = messenger('psid-7001');
    expect(await runAs('classify', () => processInboundItem(first, deps))).toMatchObject({ classification: 'informal', duplicate: false });
    const replies = await drainOutbox();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ kind: 'auto-reply', channel: 'messenger', to: 'psid-7001', lastUserMessageAt: first.receivedAt });
    expect(replies[0]!.text).toContain('clerk@stiltonparishcouncil.org');
    const logs = await deps.ops.listMinimalLogs('2026-03-10');
    const log = logs.find((l) => l.itemId === first.itemId);
    expect(log).toMatchObject({ classification: 'informal', senderHash: senderHashOf(first, KEY) });
    expect(JSON.stringify(log)).not.toContain('next meeting');

    now = new Date(now.getTime() + 2 * 86_400_000);
    await runAs('classify', () => processInboundItem(messenger('psid-7001'), deps));
    expect(await drainOutbox()).toEqual([]);
    now = new Date(now.getTime() + 6 * 86_400_000);
    await runAs('classify', () => processInboundItem(messenger('psid-7001'), deps));
    expect(await drainOutbox()).toHaveLength(1);
    now = new Date('2026-03-10T10:00:00.000Z');
  });

  it('a redelivered item makes no second record and no second message', async () => {
    const item = email();
    const first = await runAs('classify', () => processInboundItem(item, deps));
    const again = await runAs('classify', () => processInboundItem(item, deps));
    expect(again).toMatchObject({ duplicate: true, ref: first.ref });
    expect(await summaries(deps.audit, item.itemId)).toHaveLength(1);
    expect(await drainOutbox()).toHaveLength(2);
    expect(await deps.audit.eventsFor(first.ref!)).toHaveLength(4);
  });

  it('a crash after the audit write and before the enqueue ends with one record and one of each message', async () => {
    const item = email();
    const crashing: ClassifyDeps = {
      ...deps,
      outbox: {
        publish: async () => {
          throw new Error('simulated crash');
        },
      },
    };
    await expect(runAs('classify', () => processInboundItem(item, crashing))).rejects.toThrow('simulated crash');
    const [recorded] = await summaries(deps.audit, item.itemId);
    expect(recorded).toBeDefined();
    expect(await drainOutbox()).toEqual([]);

    now = new Date(now.getTime() + 60_000);
    const retried = await runAs('classify', () => processInboundItem(item, deps));
    now = new Date('2026-03-10T10:00:00.000Z');
    expect(retried).toMatchObject({ duplicate: false, ref: recorded!.ref });
    expect(await summaries(deps.audit, item.itemId)).toHaveLength(1);
    const messages = await drainOutbox();
    expect(messages.map((m) => m.id).sort()).toEqual([`${item.itemId}:clerk-routing`, `${item.itemId}:consent-request`]);
    expect(await deps.audit.eventsFor(recorded!.ref)).toHaveLength(4);
  });

  it('Mailchimp unsubscribe: consent-ledger audit events, the ledger updated, no message', async () => {
    const n = ++seq;
    const item: InboundItem = {
      schemaVersion: 1,
      itemId: `mailchimp:mc-${n}`,
      channel: 'mailchimp',
      provider: 'mailchimp',
      kind: 'audience-event',
      providerMessageId: `mc-${n}`,
      receivedAt: now.toISOString(),
      sender: { id: 'subscriber@example.org' },
      recipients: [],
      text: '',
      attachments: [],
      thread: {},
      transport: {},
      audience: { type: 'unsubscribe', listId: 'a6b5da1054', firedAt: now.toISOString(), action: 'unsub', reason: 'manual' },
    };
    const outcome = await runAs('classify', () => processInboundItem(item, deps));
    expect(outcome.outboxIds).toEqual([]);
    const events = await deps.audit.eventsFor(outcome.ref!);
    expect(events.map((e) => e.type)).toEqual(['received', 'classified', 'consent-ledger']);
    expect(events[2]!.data).toMatchObject({ change: 'opt-out' });
    expect(await deps.ops.consentLedger(senderHashOf(item, KEY))).toMatchObject({ optedOut: true, lastChange: 'opt-out' });
    expect(await drainOutbox()).toEqual([]);
  });

  it('auto-submitted email gets nothing back: the clerk has it, the sender gets no reply and no consent form', async () => {
    const item = email({ transport: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', autoSubmitted: 'auto-replied' } });
    const outcome = await runAs('classify', () => processInboundItem(item, deps));
    const messages = await drainOutbox();
    expect(messages.filter((m) => m.to === item.sender.id)).toEqual([]);
    // Sent to the clerk's address, so formal (stilton.txt §10): the clerk gets it, nobody is answered.
    expect(outcome.classification).toBe('formal');
    expect(messages.map((m) => m.kind)).toEqual(['clerk-routing']);
    const classified = (await deps.audit.eventsFor(outcome.ref!)).find((e) => e.type === 'classified');
    expect(JSON.stringify(classified?.data.reasons)).toContain('RFC 3834');
    expect((await deps.audit.getSummary(outcome.ref!))?.consentStatus).toBe('not-needed');
  });

  it('spam is ignored: a minimal log with the rule and clause, no record, no message', async () => {
    const item = email({ transport: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'FAIL' } });
    const outcome = await runAs('classify', () => processInboundItem(item, deps));
    expect(outcome).toMatchObject({ classification: 'ignored', outboxIds: [] });
    expect(outcome.ref).toBeUndefined();
    expect(await summaries(deps.audit, item.itemId)).toEqual([]);
    expect(await drainOutbox()).toEqual([]);
    const log = (await deps.ops.listMinimalLogs('2026-03-10')).find((l) => l.itemId === item.itemId);
    expect(log?.reasons.map((r) => r.rule)).toContain('spam-verdict');
    expect(JSON.stringify(log)).not.toMatch(/pothole|example\.org/i);
  });

  it('one poison record in a batch is reported failed; the others are processed', async () => {
    const good = [email(), messenger('psid-8001')];
    const handler = sqsBatchHandler(InboundItem, async (item) => void (await runAs('classify', () => processInboundItem(item, deps))), { name: 'classify' });
    const record = (id: string, body: string) =>
      ({ messageId: id, body, receiptHandle: id, attributes: { ApproximateReceiveCount: '1' } }) as unknown as SQSEvent['Records'][number];
    const result = await handler({
      Records: [
        record('m1', JSON.stringify(good[0])),
        record('poison', JSON.stringify({ schemaVersion: 1, itemId: 'x' })),
        record('bad-json', '{'),
        record('m2', JSON.stringify(good[1])),
      ],
    });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad-json', 'poison']);
    expect(await summaries(deps.audit, good[0]!.itemId)).toHaveLength(1);
    expect((await drainOutbox()).map((m) => m.itemId).sort()).toEqual([good[0]!.itemId, good[0]!.itemId, good[1]!.itemId].sort());
  });

  it("a resident's second formal email within 7 days is acknowledged with its own reference (issue 17)", async () => {
    const first = email();
    const firstRef = (await processInboundItem(first, deps)).ref!;
    await drainOutbox();
    // The first matter's form is still waiting (consent is per matter, issue 12): the second matter joins it,
    // and is acknowledged with its own reference. The sender's reply window was free.
    const second = email({ sender: first.sender, transport: first.transport, subject: 'Another matter: the bus shelter' });
    const outcome = await processInboundItem(second, deps);
    expect(outcome.classification).toBe('formal');
    expect(outcome.ref).not.toBe(firstRef);
    const messages = await drainOutbox();
    const ack = messages.find((m) => m.kind === 'auto-reply' && m.to === first.sender.id);
    expect(ack, JSON.stringify(messages.map((m) => m.kind))).toBeDefined();
    expect(ack!.text).toContain(outcome.ref!);
    expect(ack!.text).not.toContain('{reference}');
    expect(messages.filter((m) => m.kind === 'consent-request')).toEqual([]);
  });

  it('a complaint invitation that the reply limit stops is recorded in the audit trail with why (issue 17)', async () => {
    const psid = 'fb-user-9001';
    const senderHash = senderHashOf(messenger(psid), KEY);
    await deps.ops.recordAutoReply(senderHash, new Date(now.getTime() - 86_400_000).toISOString(), 7, 'meta:earlier');
    const n = ++seq;
    const comment = messenger(psid, {
      itemId: `meta:comment-${n}`,
      channel: 'facebook-comment',
      kind: 'comment',
      providerMessageId: `4455_${n}`,
      text: 'The council broke the law by holding the budget meeting in secret. This is illegal.',
    });
    const outcome = await processInboundItem(comment, deps);
    expect(outcome.ref).toBeDefined();
    const events = await deps.audit.eventsFor(outcome.ref!);
    const classified = events.find((e) => e.type === 'classified')!;
    expect(JSON.stringify(classified.data.actions)).toContain('formalComplaintInvitation');
    const skipped = events.find((e) => e.type === 'reply-skipped');
    expect(skipped?.data).toMatchObject({ reason: 'rate-limit', clause: policy.autoReplyRateLimit.clause, textKeys: ['formalComplaintInvitation'] });
    expect((await drainOutbox()).filter((m) => m.channel === 'facebook-comment')).toEqual([]);
  });

  it('the audit chain verifies after all of the above', async () => {
    expect(await deps.audit.verify()).toMatchObject({ ok: true });
  });
});

describe('poison items: bodies too large for DynamoDB or for one email', () => {
  it('100,000+ CJK characters (over 400 KB in UTF-8): the record keeps the start and the full body in the mail store; the clerk still gets the item', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-bodies-'));
    const text = '漢字かな'.repeat(40_000); // 160,000 characters, 480 KB in UTF-8 (320 KB as dynalite counts)
    const item = email({ text });
    const outcome = await runAs('classify', () => processInboundItem(item, { ...deps, bodies: new FileMailStore(dir) }));
    expect(outcome).toMatchObject({ classification: 'formal', duplicate: false });
    const record = await deps.audit.getContent(outcome.ref!);
    expect(record?.content).toMatchObject({ textTruncated: true, fullContent: { key: `content/stilton/${outcome.ref}.json` } });
    expect(text.startsWith(record!.content!.text)).toBe(true);
    const kept = JSON.parse(readFileSync(join(dir, record!.content!.fullContent!.key), 'utf8')) as { text: string };
    expect(kept.text).toBe(text);
    expect(
      createHash('sha256')
        .update(readFileSync(join(dir, record!.content!.fullContent!.key)))
        .digest('hex'),
    ).toBe(record!.content!.fullContent!.sha256);

    const routing = (await drainOutbox()).find((m) => m.kind === 'clerk-routing')!;
    // Here the whole text still fits one email (shortening is covered in test/unit/pipeline-compose.test.ts).
    expect(routing.text).toContain(text);
    expect(Buffer.byteLength(JSON.stringify(routing), 'utf8')).toBeLessThanOrEqual(QUEUES.outbox.maximumMessageSizeBytes);
  });
});
