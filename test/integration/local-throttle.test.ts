import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { retryWhileThrottled, setAccountConcurrency, throttleCounts, withinAccountConcurrency } from '../../infra/local/lambda.ts';
import { startPoller } from '../../infra/local/poller.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { QUEUES } from '../../shared/topology.ts';

/**
 * What AWS does when an SQS event source mapping's invocation is throttled
 * (the account's concurrency is all in use; the mapping's own maximum
 * concurrency cannot prevent that): the function never runs, the batch stays
 * in flight until its visibility timeout, every receive counts, and after
 * maxReceiveCount receives the message is in the DLQ, never tried.
 */
describe('local event source mapping when Lambda throttles', () => {
  let emu: Emulators;
  let sqs: SQSClient;
  beforeAll(async () => {
    emu = await startEmulators({ prefix: 'throttle-' });
    sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.sqsEndpoint });
  });
  afterEach(() => setAccountConcurrency(undefined));
  afterAll(async () => {
    sqs?.destroy();
    await emu?.stop();
  });

  /** Another function holds the account's only execution until `release`. */
  function holdTheAccount(): { busy: Promise<void>; release: () => void } {
    setAccountConcurrency(1);
    let release = () => {};
    const busy = withinAccountConcurrency('consentSchedule', () => new Promise<void>((resolve) => (release = resolve)));
    return { busy, release: () => release() };
  }

  /** The inbound queue's mapping as the hub wires it: it invokes the consumer, and the invocation needs an execution. */
  function classifyPoller(visibilityTimeoutSeconds: number, onRecord: (record: SQSRecord) => void, onThrottle: () => void) {
    return startPoller({
      sqs,
      queue: { ...QUEUES.inbound, visibilityTimeoutSeconds, maxConcurrency: 1 },
      queueUrl: emu.queueUrls.inbound,
      queueArn: 'arn:aws:sqs:eu-west-2:123456789012:inbound',
      idleMs: 50,
      consume: (event: SQSEvent) =>
        withinAccountConcurrency('classify', async () => {
          for (const r of event.Records) onRecord(r);
          return { batchItemFailures: [] };
        }),
      onThrottle,
      onError: (error) => {
        throw error;
      },
    });
  }

  it('a message received while the account has no concurrency left reaches the DLQ untried; with concurrency back, messages are handled', async () => {
    const tried: string[] = [];
    const throttled: number[] = [];
    const { busy, release } = holdTheAccount();
    const before = throttleCounts().classify ?? 0;
    const poller = classifyPoller(
      1,
      (r) => tried.push(r.body),
      () => throttled.push(Date.now()),
    );
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: emu.queueUrls.inbound, MessageBody: 'formal letter' }));
      const dead = await waitFor(async () => {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: emu.dlqUrls.inbound, MaxNumberOfMessages: 1, AttributeNames: ['All'] }));
        return got.Messages?.[0];
      }, 30_000);
      expect(dead?.Body).toBe('formal letter');
      expect(tried).toEqual([]);
      // Retried while invisible, then released: every receive counted towards maxReceiveCount.
      expect(throttled.length).toBeGreaterThanOrEqual(QUEUES.inbound.maxReceiveCount);
      expect((throttleCounts().classify ?? 0) - before).toBe(throttled.length);

      release();
      await busy;
      await sqs.send(new SendMessageCommand({ QueueUrl: emu.queueUrls.inbound, MessageBody: 'second letter' }));
      await waitFor(async () => tried.includes('second letter') || undefined, 15_000);
      expect(tried).toEqual(['second letter']);
    } finally {
      release();
      await poller.stop();
    }
  }, 60_000);

  it('a throttle shorter than the visibility timeout is retried by the mapping: handled on its first receive, nothing dead-lettered', async () => {
    const receives: string[] = [];
    let throttles = 0;
    const { busy, release } = holdTheAccount();
    const poller = classifyPoller(
      5,
      (r) => receives.push(r.attributes.ApproximateReceiveCount),
      () => {
        throttles += 1;
        if (throttles === 3) release();
      },
    );
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: emu.queueUrls.inbound, MessageBody: 'short throttle' }));
      await waitFor(async () => (receives.length > 0 ? true : undefined), 15_000);
      await busy;
      expect(receives).toEqual(['1']);
      expect(throttles).toBe(3);
      const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: emu.dlqUrls.inbound, MaxNumberOfMessages: 1 }));
      expect(dead.Messages ?? []).toEqual([]);
    } finally {
      release();
      await poller.stop();
    }
  }, 30_000);

  it('an asynchronous invocation (SES mail, an SMS from SNS, a schedule) waits out a throttle, as Lambda queues the event, and is not an error', async () => {
    const { busy, release } = holdTheAccount();
    setTimeout(release, 400);
    const before = throttleCounts().sesInbound ?? 0;
    const ran = await retryWhileThrottled(() => withinAccountConcurrency('sesInbound', async () => 'mail handled'));
    await busy;
    expect(ran).toBe('mail handled');
    expect((throttleCounts().sesInbound ?? 0) - before).toBeGreaterThan(0);
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
