import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxSink } from '../../shared/queue/outbox.ts';
import {
  CEILING,
  expectedOutbound,
  sendUntilAcknowledged,
  startPipeline,
  testTimeout,
  waitFor,
  type Pipeline,
  type Traffic,
} from '../support/fault-harness.ts';

/**
 * SQS (local-aws-sqs behind a proxy, so it keeps its queues) stopped and
 * started mid-run; and classify crashing between the audit write and the
 * enqueue. Every item goes through the real ingest handler, classify, deliver.
 */

let p: Pipeline;
let crashes = 0;
let crashFor: Set<string> = new Set();
beforeAll(async () => {
  p = await startPipeline({
    prefix: 'fault-sqs-',
    sqsProxy: true,
    // Fails the first publish for chosen items, after classify has written their audit records.
    wrapOutbox: (publisher: OutboxSink): OutboxSink => ({
      async publish(messages) {
        const itemId = messages[0]?.itemId;
        if (itemId && crashFor.delete(itemId)) {
          crashes++;
          throw new Error('simulated crash between the audit write and the enqueue');
        }
        await publisher.publish(messages);
      },
    }),
  });
  p.startPollers();
});
afterAll(async () => {
  await p?.stop();
});
afterEach(async () => {
  await p.sqsProxy!.up().catch(() => undefined);
});

const exactlyOnce = async (traffic: readonly Traffic[]) => {
  const out = await p.outbound();
  const expected = traffic.flatMap(expectedOutbound);
  for (const id of expected) expect(out.byOutboxId.get(id), id).toBe(1);
  return expected;
};

describe('SQS stopped and restarted mid-run', () => {
  it(
    'webhooks answer 5xx while it is down, the providers retry, and after recovery nothing is lost or duplicated',
    async () => {
      const traffic: Traffic[] = [];
      for (let n = 1; n <= 5; n++) traffic.push(p.messenger(n), p.twilio(n), p.eum(n), await p.email(n));
      const before = traffic.slice(0, 8);
      const during = traffic.slice(8);
      for (const t of before) expect(await t.send()).toBe(true);

      await p.sqsProxy!.down();
      // While SQS is down no provider gets an acknowledgement (Messenger/Twilio see 503, SES/SNS invocations throw).
      const refused = await Promise.all(during.slice(0, 4).map((t) => t.send()));
      expect(refused).toEqual([false, false, false, false]);
      // SQS stays down until every provider has been refused again (whatever the machine's speed).
      const refusedAgain = new Set<string>();
      const retrying = during.map((t) => sendUntilAcknowledged(t, { delayMs: 300, onRefused: (r) => refusedAgain.add(r.itemId) }));
      await waitFor(() => refusedAgain.size === during.length, CEILING.step, 'every provider to be refused while SQS is down');
      await p.sqsProxy!.up();
      const attempts = await Promise.all(retrying);
      expect(Math.max(...attempts)).toBeGreaterThan(1);
      // Providers also retry things the hub had acknowledged (a lost 200): the same item ids again.
      for (const t of before.slice(0, 4)) expect(await t.send()).toBe(true);
      await p.settle(CEILING.settle);

      const summaries = (await p.summaries()).filter((s) => traffic.some((t) => t.itemId === s.itemId));
      const formal = traffic.filter((t) => t.channel !== 'messenger');
      expect(summaries.map((s) => s.itemId).sort()).toEqual(formal.map((t) => t.itemId).sort());
      const events = await p.events();
      for (const s of summaries) {
        const own = events.filter((e) => e.ref === s.ref).map((e) => e.type);
        expect(own.filter((t) => t !== 'reply-sent')).toEqual(['received', 'classified', 'routed', 'consent-requested']);
        expect(own.filter((t) => t === 'reply-sent')).toHaveLength(s.channel === 'email' ? 3 : 2);
      }
      const expected = await exactlyOnce(traffic);
      expect(expected).toHaveLength(5 * (1 + 2 + 2 + 3));
      expect((await p.outbound()).total).toBe(expected.length);
      expect(await p.depth('inbound-dlq')).toBe(0);
      expect(await p.depth('outbox-dlq')).toBe(0);
      expect(await p.audit.verify()).toMatchObject({ ok: true, count: events.length });
    },
    testTimeout(CEILING.step, CEILING.step, CEILING.settle),
  );
});

describe('classify crashing between the audit record and the enqueue', () => {
  it(
    'after redelivery: one record, one set of chain events and one of each message per item',
    async () => {
      const summariesBefore = (await p.summaries()).length;
      const outboundBefore = (await p.outbound()).total;
      const eventsBefore = (await p.events()).length;
      const traffic: Traffic[] = [];
      for (let n = 11; n <= 13; n++) traffic.push(p.twilio(n), p.eum(n), await p.email(n), p.messenger(n));
      crashFor = new Set(traffic.map((t) => t.itemId));
      for (const t of traffic) expect(await t.send()).toBe(true);
      await waitFor(() => crashFor.size === 0, CEILING.step, 'every item to crash once');
      await p.settle(CEILING.settle);

      expect(crashes).toBe(traffic.length);
      const summaries = (await p.summaries()).filter((s) => traffic.some((t) => t.itemId === s.itemId));
      expect(summaries.map((s) => s.itemId).sort()).toEqual(
        traffic
          .filter((t) => t.channel !== 'messenger')
          .map((t) => t.itemId)
          .sort(),
      );
      expect((await p.summaries()).length).toBe(summariesBefore + 9);
      const events = await p.events();
      for (const s of summaries) {
        const own = events.filter((e) => e.ref === s.ref).map((e) => e.type);
        expect(own.filter((t) => t !== 'reply-sent')).toEqual(['received', 'classified', 'routed', 'consent-requested']);
        expect(own.filter((t) => t === 'reply-sent')).toHaveLength(s.channel === 'email' ? 3 : 2);
      }
      expect(events.length - eventsBefore).toBe(3 * (6 + 6 + 7));
      const expected = await exactlyOnce(traffic);
      expect((await p.outbound()).total - outboundBefore).toBe(expected.length);
      expect(await p.depth('inbound-dlq')).toBe(0);
      expect(await p.audit.verify()).toMatchObject({ ok: true, count: events.length });
    },
    testTimeout(CEILING.step, CEILING.settle),
  );
});
