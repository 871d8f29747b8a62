import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { startPoller } from '../../infra/local/poller.ts';
import { attachSqsJournal, type SqsJournal } from '../../infra/local/sqs-journal.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators.ts';
import { QUEUES } from '../../shared/topology.ts';

/**
 * The local hub's event source mapping and queue journal on the real SQS
 * emulator: partial batch failures stay queued, successes are deleted, and
 * whatever is still queued comes back, with its message id, after the
 * emulator (which keeps messages only in memory) is restarted.
 */

describe('local SQS event source mapping and queue journal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-sqs-journal-'));
  const file = join(dir, 'queues.jsonl');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function start(prefix: string) {
    let journal: SqsJournal | undefined;
    const emulators = await startEmulators({ prefix, onSqsReady: (service) => void (journal = attachSqsJournal(service, file)) });
    const sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emulators.sqsEndpoint });
    return { emulators, sqs, journal: journal! };
  }

  it('deletes what the consumer handled, keeps its reported failures, and restores them after a restart', async () => {
    const first = await start('j-');
    const sent = await first.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: first.emulators.queueUrls.inbound,
        Entries: ['ok-1', 'fail-me', 'ok-2'].map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
    const failedId = sent.Successful!.find((s) => s.Id === '1')!.MessageId!;

    const batches: SQSEvent[] = [];
    const poller = startPoller({
      sqs: first.sqs,
      queue: QUEUES.inbound,
      queueUrl: first.emulators.queueUrls.inbound,
      queueArn: 'arn:aws:sqs:eu-west-2:123456789012:j-inbound',
      idleMs: 20,
      consume: async (event) => {
        batches.push(event);
        return { batchItemFailures: event.Records.filter((r) => r.body === 'fail-me').map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });
    while (batches.flatMap((b) => b.Records).length < 3) await new Promise((r) => setTimeout(r, 20));
    await poller.stop();
    const records = batches.flatMap((b) => b.Records);
    expect(records.map((r) => r.body).sort()).toEqual(['fail-me', 'ok-1', 'ok-2']);
    expect(records.every((r) => r.attributes.ApproximateReceiveCount === '1')).toBe(true);

    first.journal.compact();
    first.sqs.destroy();
    await first.emulators.stop();

    const second = await start('j-');
    expect(second.journal.restored).toEqual({ 'j-inbound': 1 });
    const again = await second.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: second.emulators.queueUrls.inbound, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'] }),
    );
    expect(again.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[failedId, 'fail-me']]);
    second.sqs.destroy();
    await second.emulators.stop();
  });
});
