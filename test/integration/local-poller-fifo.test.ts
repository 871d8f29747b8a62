import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startPoller } from '../../infra/local/poller.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { QUEUES } from '../../shared/topology.ts';

/**
 * local-aws-sqs hands out a FIFO group's later messages while an earlier one
 * is in flight; AWS does not. The local poller keeps AWS's order: after a
 * failure, nothing later in that group is processed before the failed
 * message succeeds. Other groups carry on.
 */
describe('local event source mapping on a FIFO queue', () => {
  let emu: Emulators;
  let sqs: SQSClient;
  beforeAll(async () => {
    emu = await startEmulators({ prefix: 'poller-fifo-' });
    sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.sqsEndpoint });
  });
  afterAll(async () => {
    sqs?.destroy();
    await emu?.stop();
  });

  it('holds a group behind its failed message and keeps the order; other groups are not held', async () => {
    const queue = { ...QUEUES.audit, visibilityTimeoutSeconds: 2, batchSize: 2 };
    const bodies = ['a1', 'a2', 'a3', 'b1'];
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: emu.queueUrls.audit,
        Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body, MessageGroupId: body[0]!, MessageDeduplicationId: body })),
      }),
    );
    const done: string[] = [];
    let failA1 = true;
    const poller = startPoller({
      sqs,
      queue,
      queueUrl: emu.queueUrls.audit,
      queueArn: 'arn:aws:sqs:eu-west-2:123456789012:audit.fifo',
      idleMs: 20,
      // As a FIFO consumer must (and the appender does): after a failure, the rest of that group in the batch fails too.
      consume: async (event: SQSEvent) => {
        const failures = [];
        const failedGroups = new Set<string>();
        for (const record of event.Records) {
          const group = record.body[0]!;
          if (failedGroups.has(group) || (record.body === 'a1' && failA1)) {
            if (record.body === 'a1') failA1 = false;
            failedGroups.add(group);
            failures.push({ itemIdentifier: record.messageId });
          } else {
            done.push(record.body);
          }
        }
        return { batchItemFailures: failures };
      },
    });
    const deadline = Date.now() + 15_000;
    while (done.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await poller.stop();
    expect(done.filter((b) => b.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(done).toContain('b1');
    expect(done.indexOf('b1')).toBeLessThan(done.indexOf('a1'));
  }, 20_000);
});
