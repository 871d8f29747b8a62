import { describe, expect, it } from 'vitest';
import {
  costPerItem,
  idleDeploymentOf,
  idleMonthlyCost,
  lambdaGbSeconds,
  PRICES,
  runsPerMonth,
  sqsBilledRequests,
  type ItemUsage,
} from '../../bench/lib/cost.ts';
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
    expect(total).toBeCloseTo(
      Object.values(parts).reduce((s, v) => s + v, 0),
      15,
    );
    const idle = idleMonthlyCost({
      kmsKeys: 2,
      secrets: 1,
      alarms: 0,
      polledQueues: 2,
      polledFifoQueues: 0,
      idlePollsPerQueue: 650_000,
      scheduledRuns: [],
      logGbIngestedPerMonth: 0,
    });
    expect(idle.total).toBeCloseTo(2 + 0.4 + 0.52);
  });
});

describe('idle deployment counted in a template', () => {
  const queue = (fifo: boolean) => ({ Type: 'AWS::SQS::Queue', Properties: fifo ? { FifoQueue: true } : {} });
  const mapping = (queueId: string) => ({ Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] } } });
  const template = {
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    SigningKey: { Type: 'AWS::KMS::Key', Properties: { KeyUsage: 'SIGN_VERIFY' } },
    Inbound: queue(false),
    Audit: queue(true),
    Unpolled: queue(false),
    InboundMapping: mapping('Inbound'),
    AuditMapping: mapping('Audit'),
    Depth: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' } },
    Sum: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Metrics: [
          { Id: 'a', MetricStat: {} },
          { Id: 'b', MetricStat: {} },
          { Id: 'e', Expression: 'a+b' },
        ],
      },
    },
    Sweep: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Arn: { 'Fn::GetAtt': ['SweepFn', 'Arn'] } }] } },
    SweepFn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 256 } },
  };

  it('counts keys, alarm metrics (each metric of a metric-math alarm), polled standard and FIFO queues, and schedules', () => {
    const idle = idleDeploymentOf(template);
    expect(idle).toMatchObject({ kmsKeys: 2, secrets: 0, alarms: 3, polledQueues: 1, polledFifoQueues: 1, scheduledRuns: [{ memoryMb: 256, perMonth: 730 }] });
    const cost = idleMonthlyCost(idle);
    // A FIFO queue's requests cost $0.50 a million, a standard queue's $0.40.
    expect(cost.sqsIdlePolling).toBeCloseTo((650_000 * (0.4 + 0.5)) / 1e6, 6);
    expect(cost.kmsKeys! + cost.alarms!).toBeCloseTo(2.3, 6);
    expect(cost.schedules).toBeGreaterThan(0);
    expect(cost.schedules).toBeLessThan(0.01);
  });

  it('prices rate expressions by the month and refuses what it cannot price', () => {
    expect(runsPerMonth('rate(15 minutes)')).toBe(2920);
    expect(runsPerMonth('rate(1 day)')).toBeCloseTo(730 / 24);
    expect(() => runsPerMonth('cron(0 12 * * ? *)')).toThrow(/only rate/);
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
