import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CEILING, expectedOutbound, startPipeline, testTimeout, waitFor, type Pipeline, type Traffic } from '../support/fault-harness.ts';

/**
 * DynamoDB (dynalite on disk) stopped and really restarted while classify is
 * working through 32 items on four channels. Deliver is held during the
 * outage: its one acknowledged window (provider accepted, DynamoDB gone before
 * 'sent' is written) is documented in shared/delivery/deliver.ts and not what
 * this test is about.
 */

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ prefix: 'fault-ddb-' });
});
afterAll(async () => {
  await p?.stop();
});

describe('DynamoDB stopped and restarted mid-run', () => {
  it(
    'classify fails, its records return to the queue, and after the restart every item is audited or replied exactly once',
    async () => {
      const traffic: Traffic[] = [];
      for (let n = 1; n <= 8; n++) traffic.push(p.messenger(n), p.twilio(n), p.eum(n), await p.email(n));
      for (const t of traffic) expect(await t.send()).toBe(true);
      expect(await p.depth('inbound')).toBe(32);

      p.startPollers(['inbound']);
      // Let classify get part of the way, then pull DynamoDB from under it.
      await waitFor(async () => (await p.depth('inbound')) <= 26, CEILING.step, 'classify to start');
      await p.dynamo.stop();
      // DynamoDB stays down until classify has failed records for it (however slow the machine).
      await waitFor(() => p.failures.classify > 0, CEILING.step, 'classify to fail records while DynamoDB is down');
      const stillQueued = await p.depth('inbound');
      await p.dynamo.start();
      await p.settle(CEILING.settle, ['inbound']);
      p.startPollers(['outbox']);
      await p.settle(CEILING.settle);

      // The outage was real: classify failed records, items were waiting on the queue; nothing reached a DLQ.
      expect(p.failures.classify).toBeGreaterThan(0);
      expect(stillQueued).toBeGreaterThan(0);
      expect(await p.depth('inbound-dlq')).toBe(0);
      expect(await p.depth('outbox-dlq')).toBe(0);

      // Formal items (24 SMS and email): one summary each; Messenger (8): minimal logs, no record.
      const formal = traffic.filter((t) => t.channel !== 'messenger');
      const summaries = await p.summaries();
      expect(summaries.map((s) => s.itemId).sort()).toEqual(formal.map((t) => t.itemId).sort());
      const day = summaries[0]!.day;
      const logs = await p.ops.listMinimalLogs(day);
      const messengerIds = traffic.filter((t) => t.channel === 'messenger').map((t) => t.itemId);
      expect(
        logs
          .filter((l) => messengerIds.includes(l.itemId))
          .map((l) => l.itemId)
          .sort(),
      ).toEqual([...messengerIds].sort());

      // Chain events per item: received, classified, routed, consent-requested, one reply-sent per message.
      const events = await p.events();
      for (const s of summaries) {
        const own = events.filter((e) => e.ref === s.ref).map((e) => e.type);
        const messages = s.channel === 'email' ? 3 : 2;
        expect(own.filter((t) => t !== 'reply-sent')).toEqual(['received', 'classified', 'routed', 'consent-requested']);
        expect(own.filter((t) => t === 'reply-sent')).toHaveLength(messages);
      }
      expect(events).toHaveLength(8 * (6 + 6 + 7));
      expect(await p.audit.verify()).toMatchObject({ ok: true, count: events.length });

      // Outbound: each expected message exactly once, nothing else.
      const out = await p.outbound();
      const expected = traffic.flatMap(expectedOutbound).sort();
      expect([...out.byOutboxId.keys()].sort()).toEqual(expected);
      expect([...out.byOutboxId.values()].every((count) => count === 1)).toBe(true);
      expect(out.total).toBe(8 * (1 + 2 + 2 + 3));
    },
    // The stop waits for dynalite to drain (at most one step).
    testTimeout(CEILING.step, CEILING.step, CEILING.step, CEILING.settle, CEILING.settle),
  );
});
