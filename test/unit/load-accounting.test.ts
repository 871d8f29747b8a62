import { describe, expect, it } from 'vitest';
import { account, percentiles, verdict, type HubRecords, type OutboxRecord, type SendResult, receiveStats } from '../../bench/load-lib/accounting.ts';
import { HOSTILE, plan, SCENARIOS } from '../../bench/load-lib/plan.ts';
import { hostileRequest, itemRequest, type HttpRequest, type Target } from '../../bench/load-lib/requests.ts';
import { parseMailchimpEvent } from '../../shared/channels/mailchimp.ts';
import { mandrillInboundItem, verifyMandrillSignature } from '../../shared/channels/mandrill.ts';
import { parseMessengerPayload, verifyMessengerSignature } from '../../shared/channels/messenger.ts';
import { parseTwilioMessage, verifyTwilioSignature } from '../../shared/channels/twilio.ts';

const target: Target = {
  baseUrl: 'http://127.0.0.1:3999',
  smtpPort: 2599,
  secrets: {
    MESSENGER_APP_SECRET: 'test-app-secret',
    MESSENGER_PAGE_ID: '104123456789012',
    MAILCHIMP_WEBHOOK_SECRET: 'test-path-secret',
    MANDRILL_WEBHOOK_KEY: 'test-mandrill-key',
    TWILIO_AUTH_TOKEN: 'test-twilio-token',
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
  },
};
const NOW = new Date('2026-11-20T10:00:00Z');
const form = (req: HttpRequest) => [...new URLSearchParams(req.body)] as [string, string][];
const http = (req: ReturnType<typeof itemRequest>) => {
  if (req.kind !== 'http') throw new Error('expected HTTP');
  return req;
};

describe('load plan', () => {
  it('schedules every event once at i/R seconds (open loop), with resends only of events that were sent', () => {
    const sends = plan({ items: 500, rate: 50, seed: 7 });
    const items = sends.filter((s) => s.type === 'item');
    expect(items.map((s) => s.item)).toEqual([...Array(500).keys()]);
    for (const s of items) expect(s.at).toBeCloseTo(s.item * 20, 6);
    const scenarioOf = new Map(items.map((s) => [s.item, s.scenario]));
    for (const s of sends.filter((x) => x.type === 'duplicate' || x.type === 'retry')) {
      expect(s.scenario).toBe(scenarioOf.get(s.item));
      expect(s.at).toBeGreaterThanOrEqual(s.item * 20);
      // A second SMTP delivery is a second email, never "the same provider event".
      expect(s.scenario.startsWith('smtp-')).toBe(false);
    }
    expect(sends.map((s) => s.at)).toEqual([...sends.map((s) => s.at)].sort((a, b) => a - b));
  });

  it('covers every channel scenario and every kind of hostile request, reproducibly', () => {
    const a = plan({ items: 200, rate: 50, seed: 3 });
    expect(new Set(a.filter((s) => s.type === 'item').map((s) => (s.type === 'item' ? s.scenario : '')))).toEqual(new Set(Object.keys(SCENARIOS)));
    expect(new Set(a.filter((s) => s.type === 'hostile').map((s) => (s.type === 'hostile' ? s.hostile : '')))).toEqual(new Set(Object.keys(HOSTILE)));
    expect(plan({ items: 200, rate: 50, seed: 3 })).toEqual(a);
    expect(plan({ items: 200, rate: 50, seed: 4 })).not.toEqual(a);
  });

  it('refuses a run that cannot be scheduled', () => {
    expect(() => plan({ items: 0, rate: 50 })).toThrow(/items/);
    expect(() => plan({ items: 10, rate: 0 })).toThrow(/rate/);
  });
});

describe('load requests', () => {
  it('signs each provider request so the hub verifies it, and predicts the item id the hub will give it', async () => {
    const messenger = http(itemRequest(target, 'abcd1234', 5, 'messenger-informal', NOW));
    expect(verifyMessengerSignature(Buffer.from(messenger.body), messenger.headers['x-hub-signature-256'], target.secrets.MESSENGER_APP_SECRET)).toBe(true);
    expect(parseMessengerPayload(JSON.parse(messenger.body), { now: NOW, pageId: target.secrets.MESSENGER_PAGE_ID })?.items.map((i) => i.itemId)).toEqual([
      messenger.itemId,
    ]);

    const comment = http(itemRequest(target, 'abcd1234', 6, 'comment-informal', NOW));
    expect(parseMessengerPayload(JSON.parse(comment.body), { now: NOW, pageId: target.secrets.MESSENGER_PAGE_ID })?.items.map((i) => i.itemId)).toEqual([
      comment.itemId,
    ]);

    const twilio = http(itemRequest(target, 'abcd1234', 7, 'twilio-formal', NOW));
    expect(verifyTwilioSignature(`${target.baseUrl}${twilio.path}`, form(twilio), twilio.headers['x-twilio-signature'], target.secrets.TWILIO_AUTH_TOKEN)).toBe(
      true,
    );
    expect(parseTwilioMessage(new Map(form(twilio)), NOW)?.itemId).toBe(twilio.itemId);

    const mandrill = http(itemRequest(target, 'abcd1234', 8, 'mandrill-formal', NOW));
    expect(
      verifyMandrillSignature(
        `${target.baseUrl}${mandrill.path}`,
        form(mandrill),
        mandrill.headers['x-mandrill-signature'],
        target.secrets.MANDRILL_WEBHOOK_KEY,
      ),
    ).toBe(true);
    const [event] = JSON.parse(new Map(form(mandrill)).get('mandrill_events')!) as Record<string, unknown>[];
    expect((await mandrillInboundItem(event as never, NOW))?.itemId).toBe(mandrill.itemId);

    const mailchimp = http(itemRequest(target, 'abcd1234', 9, 'mailchimp-ledger', NOW));
    expect(mailchimp.path).toBe(`/webhooks/mailchimp/${target.secrets.MAILCHIMP_WEBHOOK_SECRET}`);
    const parsed = parseMailchimpEvent(new Map(form(mailchimp)), NOW);
    expect(parsed !== 'unhandled' && parsed?.itemId).toBe(mailchimp.itemId);
  });

  it('gives every event its own sender and id, and the same event the same bytes', () => {
    const a = http(itemRequest(target, 'abcd1234', 1, 'twilio-formal', NOW));
    const b = http(itemRequest(target, 'abcd1234', 2, 'twilio-formal', NOW));
    expect(a.itemId).not.toBe(b.itemId);
    expect(new Map(form(a)).get('From')).not.toBe(new Map(form(b)).get('From'));
    expect(itemRequest(target, 'abcd1234', 1, 'twilio-formal', NOW)).toEqual(a);
  });

  it('builds hostile requests that fail the checks they are meant to fail', () => {
    const forged = hostileRequest(target, 'abcd1234', 0, 'bad-signature', NOW);
    expect(verifyMessengerSignature(Buffer.from(forged.body), forged.headers['x-hub-signature-256'], target.secrets.MESSENGER_APP_SECRET)).toBe(false);
    const malformed = hostileRequest(target, 'abcd1234', 0, 'malformed', NOW);
    expect(verifyMessengerSignature(Buffer.from(malformed.body), malformed.headers['x-hub-signature-256'], target.secrets.MESSENGER_APP_SECRET)).toBe(true);
    expect(() => JSON.parse(malformed.body)).toThrow();
    expect(Buffer.byteLength(hostileRequest(target, 'abcd1234', 0, 'oversized', NOW).body)).toBeGreaterThan(65_536);
    expect(parseMailchimpEvent(new Map(form(hostileRequest(target, 'abcd1234', 0, 'unknown-event', NOW))), NOW)).toBe('unhandled');
    expect(hostileRequest(target, 'abcd1234', 0, 'wrong-mailchimp-secret', NOW).path).not.toContain(target.secrets.MAILCHIMP_WEBHOOK_SECRET);
  });
});

describe('load accounting', () => {
  const item = (n: number, scenario: SendResult['scenario'], itemId: string, extra: Partial<SendResult> = {}): SendResult => ({
    type: 'item',
    item: n,
    scenario,
    protocol: 'http',
    status: 200,
    ms: 5,
    lagMs: 0,
    itemId,
    ...extra,
  });
  const sends: SendResult[] = [
    item(0, 'messenger-informal', 'meta:m0'),
    item(1, 'twilio-formal', 'twilio:SM1'),
    { ...item(1, 'twilio-formal', 'twilio:SM1'), type: 'duplicate' },
    item(2, 'smtp-formal', 'ses:abc', { protocol: 'smtp', status: 250, ms: 2 }),
    { type: 'hostile', item: 2, hostile: 'bad-signature', protocol: 'http', status: 401, ms: 1, lagMs: 0 },
    { type: 'hostile', item: 2, hostile: 'unknown-event', protocol: 'http', status: 200, ms: 1, lagMs: 0 },
  ];
  const records: HubRecords = {
    summaries: [
      { itemId: 'twilio:SM1', ref: 'DEM-1', classification: 'formal' },
      { itemId: 'ses:abc', ref: 'DEM-2', classification: 'formal' },
    ],
    events: [
      { itemId: 'twilio:SM1', type: 'received' },
      { itemId: 'twilio:SM1', type: 'reply-sent', outboxId: 'twilio:SM1:clerk-routing' },
      { itemId: 'twilio:SM1', type: 'reply-sent', outboxId: 'twilio:SM1:consent-request' },
    ],
    logs: [{ itemId: 'meta:m0', classification: 'informal' }],
    queues: { inbound: 0, 'inbound-dlq': 0, outbox: 0, 'outbox-dlq': 0 },
  };
  const outbox: OutboxRecord[] = [
    { id: 'meta:m0:auto-reply', kind: 'auto-reply', itemId: 'meta:m0' },
    { id: 'twilio:SM1:clerk-routing', kind: 'clerk-routing', itemId: 'twilio:SM1' },
    { id: 'twilio:SM1:consent-request', kind: 'consent-request', itemId: 'twilio:SM1' },
    { id: 'ses:abc:clerk-routing', kind: 'clerk-routing', itemId: 'ses:abc' },
  ];

  it('a clean run: every event recorded once, answered as expected, nothing lost or duplicated', () => {
    const a = account({ sends, records, outbox });
    expect(a).toMatchObject({ accepted: 4, acceptedItems: 3, audited: 2, logged: 1, replied: 1, lost: 0, duplicated: 0, unexpectedRecords: 0, misrecorded: 0 });
    expect(a.rejected).toEqual({ '401 bad-signature': 1, '200 unknown-event': 1 });
    expect(a.unexpected).toEqual({});
    expect(a.sent).toMatchObject({ total: 6, items: 3, duplicates: 1, hostile: 2, smtp: 1, http: 5 });
    expect(a.latency.smtp.n).toBe(1);
    expect(verdict(a, { items: 3, rate: 50 })).toMatchObject({ correct: true, atTargetScale: false, targetMet: false });
  });

  it('counts an accepted event with no record, or without the message it must get, as lost', () => {
    const noLog = account({ sends, records: { ...records, logs: [] }, outbox });
    expect(noLog.lostDetail).toMatchObject({ noRecord: 1, missingMessage: 0 });
    const noRouting = account({ sends, records, outbox: outbox.filter((o) => o.id !== 'ses:abc:clerk-routing') });
    expect(noRouting.lost).toBe(1);
    expect(noRouting.lostDetail.examples[0]).toContain('clerk-routing');
    expect(verdict(noRouting, { items: 5000, rate: 50 }).correct).toBe(false);
  });

  it('a reply the daily outbound limit withheld (recorded in the log with why) is counted as withheld, not lost', () => {
    const withheld = account({
      sends,
      records: { ...records, logs: [{ itemId: 'meta:m0', classification: 'informal', withheld: ['auto-reply'] }] },
      outbox: outbox.filter((o) => o.itemId !== 'meta:m0'),
    });
    expect(withheld).toMatchObject({ lost: 0, withheld: 1, replied: 0 });
  });

  it('counts a second summary, a repeated audit event or a second message of a kind as a duplicated side effect', () => {
    const twice = account({ sends, records: { ...records, summaries: [...records.summaries, records.summaries[0]!] }, outbox });
    expect(twice.duplicatedDetail.summaries).toBe(1);
    const events = account({ sends, records: { ...records, events: [...records.events, { itemId: 'twilio:SM1', type: 'received' }] }, outbox });
    expect(events.duplicatedDetail.events).toBe(1);
    const messages = account({ sends, records, outbox: [...outbox, { id: 'meta:m0:auto-reply', kind: 'auto-reply', itemId: 'meta:m0' }] });
    expect(messages.duplicatedDetail.messages).toBe(1);
    expect(verdict(messages, { items: 5000, rate: 50 }).duplicatedOk).toBe(false);
  });

  it('flags statuses nobody expected and records of events that were never sent as items', () => {
    const wrong = account({
      sends: [
        ...sends,
        { type: 'hostile', item: 3, hostile: 'oversized', protocol: 'http', status: 200, ms: 1, lagMs: 0 },
        item(4, 'eum-formal', 'aws-sms:x', { status: 500 }),
      ],
      records: {
        ...records,
        logs: [...records.logs, { itemId: 'meta:forged', classification: 'informal' }, { itemId: 'meta:old', classification: 'informal' }],
      },
      outbox,
      baselineItemIds: new Set(['meta:old']),
    });
    expect(wrong.unexpected).toEqual({ 'hostile oversized: 200': 1, 'item eum-formal: 500': 1 });
    expect(wrong.unexpectedRecords).toBe(1);
    expect(verdict(wrong, { items: 5000, rate: 50 }).correct).toBe(false);
  });

  it('reports a latency miss without calling the run incorrect', () => {
    const slow = account({ sends: sends.map((s) => ({ ...s, ms: 80 })), records, outbox });
    expect(verdict(slow, { items: 5000, rate: 50 })).toMatchObject({ correct: true, latencyOk: false, targetMet: false });
  });

  it('reads percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles(values)).toEqual({ n: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(percentiles([])).toMatchObject({ n: 0 });
  });
});

describe('inbound receives per item', () => {
  it('is the mean and maximum receive on which classify handled each inbound message', () => {
    expect(receiveStats({ '1': 998, '2': 2 })).toEqual({ messages: 1000, mean: 1.002, max: 2 });
    expect(receiveStats({})).toEqual({ messages: 0, mean: 0, max: 0 });
  });
});
