import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../shared/model/index.ts';
import { QUEUES } from '../../shared/topology.ts';
import { CEILING, expectedOutbound, startPipeline, testTimeout, waitFor, type FaultAnswer, type Pipeline, type Traffic } from '../support/fault-harness.ts';

/**
 * Graph API, Twilio, End User Messaging and SES answer 500, then 429, then
 * hang (timeout), each until every one of them has failed that way, while
 * deliver works through the outbox of a full set of formal and informal items.
 * One resident's mailbox stays unreachable for good.
 */

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ prefix: 'fault-prov-' });
});
afterAll(async () => {
  await p?.stop();
});

const raw = (body: Buffer): string => {
  try {
    const data = (JSON.parse(body.toString('utf8')) as { Content?: { Raw?: { Data?: string } } }).Content?.Raw?.Data;
    return data ? Buffer.from(data, 'base64').toString('utf8') : '';
  } catch {
    return '';
  }
};
/** deliver's provider timeout while the providers hang (10 s in production: the test would wait that long per try). */
const HUNG_PROVIDER_TIMEOUT_MS = 900;

const sesError = (status: number): FaultAnswer => ({
  status,
  headers: { 'x-amzn-errortype': status === 429 ? 'TooManyRequestsException' : 'InternalFailure' },
  body: JSON.stringify({ message: 'fault injected' }),
});

describe('provider outages', () => {
  it(
    '500, 429 and timeouts delay messages, which are then delivered exactly once; a mailbox down for good ends in the DLQ, explained in the audit trail',
    async () => {
      const traffic: Traffic[] = [];
      for (let n = 1; n <= 3; n++) traffic.push(p.messenger(n), p.twilio(n), p.eum(n), await p.email(n));
      const victim = await p.email(99);
      for (const t of [...traffic, victim]) expect(await t.send()).toBe(true);
      // Every item classified before deliver starts: each outage phase then ends within about one pass
      // over the outbox (every provider has failed once), so it costs a message a receive or two on any
      // machine. With classify still running, the first messages would be retried every second until the
      // last items were classified, and on a slow enough machine reach the DLQ (maxReceiveCount) for it.
      p.startPollers(['inbound']);
      await p.settle(CEILING.settle, ['inbound']);

      let sesMode: 'ok' | '500' | '429' | 'timeout' = 'ok';
      const sesFailures: number[] = [];
      p.sesProxy.intercept((req: IncomingMessage, body: Buffer) => {
        if (!req.url?.startsWith('/v2/email/outbound-emails')) return undefined;
        const stuck = /^To:.*resident99@example\.co\.uk/im.test(raw(body));
        const mode = stuck ? '500' : sesMode;
        if (mode === 'ok') return undefined;
        sesFailures.push(mode === 'timeout' ? 0 : Number(mode));
        return mode === 'timeout' ? 'hang' : sesError(Number(mode));
      });
      // Each phase lasts until every provider has answered that way at least once.
      const sawEverywhere = (status: number) =>
        (['messenger', 'twilio', 'eum'] as const).every((c) => p.fakes.calls(c).some((call) => call.status === status)) && sesFailures.includes(status);
      for (const [mode, status] of [
        ['500', 500],
        ['429', 429],
        ['timeout', 0],
      ] as const) {
        // Hung providers: deliver gives up after a short timeout (no provider answers meanwhile).
        if (mode === 'timeout') p.providerTimeout(HUNG_PROVIDER_TIMEOUT_MS);
        p.fakes.setMode(mode);
        sesMode = mode;
        p.startPollers(['outbox']);
        await waitFor(() => sawEverywhere(status), CEILING.step, `every provider to answer ${mode}`);
      }
      // The sends started with the short timeout end (timed out) before any provider answers again.
      await p.stopPollers(['outbox']);
      p.providerTimeout();
      p.fakes.setMode('ok');
      sesMode = 'ok';
      p.startPollers(['outbox']);
      await p.settle(CEILING.settle);

      // Every kind of failure really happened, on every provider.
      const statuses = (channel: 'messenger' | 'twilio' | 'eum') => new Set(p.fakes.calls(channel).map((c) => c.status));
      for (const channel of ['messenger', 'twilio', 'eum'] as const) expect([...statuses(channel)]).toEqual(expect.arrayContaining([500, 429, 0]));
      expect(new Set(sesFailures)).toEqual(new Set([500, 429, 0]));

      // Exactly once per message, nothing else.
      const out = await p.outbound();
      const victimIds = [`${victim.itemId}:auto-reply`, `${victim.itemId}:consent-request`];
      const expected = [...traffic.flatMap(expectedOutbound), `${victim.itemId}:clerk-routing`].sort();
      expect([...out.byOutboxId.keys()].sort()).toEqual(expected);
      expect([...out.byOutboxId.values()].every((count) => count === 1)).toBe(true);
      expect(expected).toHaveLength(3 * (1 + 2 + 2 + 3) + 1);
      expect(out.total).toBe(expected.length);
      const sesExpected = expected.filter((id) => id.startsWith('ses:') || id.endsWith(':clerk-routing'));
      expect(await p.sesStored()).toBe(sesExpected.length);

      // The unreachable mailbox: both of its messages in the DLQ, after every attempt the queue allows.
      const dlq = (await p.dlqBodies('outbox')) as OutboxMessage[];
      expect(dlq.map((m) => m.id).sort()).toEqual(victimIds.sort());
      expect(await p.depth('inbound-dlq')).toBe(0);

      // The audit trail explains it: one 'dead-lettered' event per DLQ'd message, on the item's record.
      const summaries = await p.summaries();
      expect(summaries).toHaveLength(10); // 3 Twilio SMS, 3 EUM SMS, 4 emails are formal; Messenger is not
      expect(new Set(summaries.map((s) => s.itemId)).size).toBe(10);
      const victimRef = summaries.find((s) => s.itemId === victim.itemId)!.ref;
      const events = await p.events();
      const dead = events.filter((e) => e.type === 'dead-lettered');
      expect(dead.map((e) => [e.ref, e.data.outboxId, e.data.reason, e.data.receiveCount]).sort()).toEqual(
        victimIds.sort().map((id) => [victimRef, id, 'provider-unavailable', QUEUES.outbox.maxReceiveCount]),
      );
      // One 'reply-sent' per delivered formal message, none for the DLQ'd ones.
      const sent = events.filter((e) => e.type === 'reply-sent').map((e) => String(e.data.outboxId));
      expect(sent.sort()).toEqual(
        expected
          .filter((id) => !id.startsWith('meta:') && !id.startsWith('twilio-to:'))
          .concat(traffic.filter((t) => t.channel === 'twilio').map((t) => `${t.itemId}:consent-request`))
          .sort(),
      );
      expect(events.filter((e) => e.type === 'delivery-failed')).toEqual([]);
      expect(await p.audit.verify()).toMatchObject({ ok: true, count: events.length });
    },
    testTimeout(CEILING.settle, 3 * CEILING.step, CEILING.step, CEILING.settle),
  );
});
