import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { QUEUES, queueName } from '../../shared/topology.ts';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators.ts';
import type { Cleanup } from './hub-util.ts';
import { describe } from './hub-util.ts';
import { bindPrincipal } from './iam/enforce.ts';
import { invoke } from './lambda.ts';
import type { OutboxLog } from './outbox.ts';
import { type Poller, startPoller } from './poller.ts';

/**
 * The SQS event source mappings: one poller per queue, each polling with its
 * consumer's execution role, as in AWS. Returns how many receives each
 * inbound message took until classify handled it (`npm run load` reports
 * mean and maximum).
 */
export function startQueuePollers(
  o: { emulators: Emulators; outbox: OutboxLog; collectCalls: () => void; logger: { warn(message: string): void } },
  cleanup: Cleanup,
): Record<string, number> {
  const { emulators, outbox } = o;
  const pollers: Poller[] = [];
  const inboundReceives: Record<string, number> = {};
  const countReceives = (event: SQSEvent, result: unknown) => {
    const failed = new Set(((result as SQSBatchResponse | undefined)?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    for (const r of event.Records) {
      if (failed.has(r.messageId)) continue;
      const n = r.attributes.ApproximateReceiveCount;
      inboundReceives[n] = (inboundReceives[n] ?? 0) + 1;
    }
  };
  for (const queue of Object.values(QUEUES)) {
    // The event source mapping polls with the consumer's execution role, as in AWS.
    const pollerSqs = bindPrincipal(new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emulators.sqsEndpoint }), queue.consumer);
    cleanup.push(() => pollerSqs.destroy());
    pollers.push(
      startPoller({
        sqs: pollerSqs,
        queue,
        queueUrl: emulators.queueUrls[queue.id],
        queueArn: `arn:aws:sqs:${LOCAL_REGION}:123456789012:${queueName('', queue.id, 'fifo' in queue && queue.fifo)}`,
        consume: async (event) => {
          if (queue.consumer === 'deliver') outbox.noteQueued(event);
          try {
            const result = await invoke(queue.consumer, event);
            if (queue.id === 'inbound') countReceives(event, result);
            return result;
          } finally {
            if (queue.consumer === 'deliver') o.collectCalls();
          }
        },
        onError: (error) => o.logger.warn(`${queue.consumer}: ${describe(error)}`),
        onThrottle: (error) => o.logger.warn(`${(error as Error).message}; ${queue.id} batch back after its visibility timeout, one receive counted`),
      }),
    );
  }
  // Pollers stop before the emulators they read from.
  cleanup.push(() => Promise.all(pollers.map((p) => p.stop())).then(() => undefined));
  return inboundReceives;
}
