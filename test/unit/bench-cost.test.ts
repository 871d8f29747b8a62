import { describe, expect, it } from 'vitest';
import { costPerItem, idleMonthlyCost, lambdaGbSeconds, PRICES, sqsBilledRequests, type ItemUsage } from '../../bench/lib/cost.ts';
import { median, percentile } from '../../bench/lib/stats.ts';

const usage: ItemUsage = {
  lambda: [{ fn: 'classify', memoryMb: 512, invocations: 1, durationMs: 20, readsSecrets: true }],
  httpApiRequests: 1,
  sqsBilledRequests: 3,
  wru: 4,
  rru: 1,
  sesOutboundEmails: 1,
  sesInboundEmails: 0,
  sesInboundBytes: 0,
};
const warm = { coldFraction: 0, initMs: 400, logBytesPerInvocation: 0 };

describe('bench cost arithmetic', () => {
  it('bills SQS payloads in 64 KB chunks', () => {
    expect(sqsBilledRequests(100)).toBe(1);
    expect(sqsBilledRequests(64 * 1024)).toBe(1);
    expect(sqsBilledRequests(64 * 1024 + 1)).toBe(2);
  });

  it('bills Lambda duration in whole milliseconds at the configured memory', () => {
    expect(lambdaGbSeconds(1024, 0.2)).toBeCloseTo(0.001);
    expect(lambdaGbSeconds(512, 100)).toBeCloseTo(lambdaGbSeconds(1024, 50));
  });

  it('adds INIT and a secret read only for cold starts', () => {
    const w = costPerItem(usage, warm);
    const c = costPerItem(usage, { ...warm, coldFraction: 1 });
    expect(w.lambdaInit).toBe(0);
    expect(w.secretsApi).toBe(0);
    expect(c.total - w.total).toBeCloseTo(lambdaGbSeconds(512, 400) * PRICES.lambdaPerGbSecond + PRICES.secretsApiPerCall, 12);
  });

  it('counts at least one SES inbound chunk per received email, more for large mail', () => {
    const small = costPerItem({ ...usage, sesInboundEmails: 1, sesInboundBytes: 4_000 }, warm).sesInbound;
    const large = costPerItem({ ...usage, sesInboundEmails: 1, sesInboundBytes: 600 * 1024 }, warm).sesInbound;
    expect(small).toBeCloseTo(PRICES.sesInboundPerEmail + PRICES.sesInboundPer256KbChunk);
    expect(large - small).toBeCloseTo(2 * PRICES.sesInboundPer256KbChunk);
  });

  it('the total is the sum of its parts', () => {
    const c = costPerItem(usage, { coldFraction: 1, initMs: 400, logBytesPerInvocation: 1000 });
    const { total, ...parts } = c;
    expect(total).toBeCloseTo(Object.values(parts).reduce((s, v) => s + v, 0), 15);
    const idle = idleMonthlyCost({ kmsKeys: 2, secrets: 1, alarms: 0, polledQueues: 2, idlePollsPerQueue: 650_000, logGbIngestedPerMonth: 0 });
    expect(idle.total).toBeCloseTo(2 + 0.4 + 0.52);
  });
});

describe('bench statistics', () => {
  it('median averages the two middle values of an even count and ignores order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('percentile uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 1)).toBe(1);
  });
});
