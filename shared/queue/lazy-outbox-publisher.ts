import type { OutboxMessage } from '../model/outbox.ts';
import { madeOnce } from '../runtime/once.ts';
import { lazyBatchSender } from './lazy-batch-sender.ts';

/**
 * Puts messages on the outbox queue; the SQS client loads on the first
 * publish, not at start (a page view never needs it). The client is
 * lazyBatchSender's, so a function that also records through the audit queue
 * makes one SQS client, not two. A module of its own: a function that always
 * publishes imports OutboxPublisher statically, and in a code-split bundle an
 * import() anywhere in the graph is more files to load.
 */
export function lazyOutboxPublisher(queueUrl: string): (messages: readonly OutboxMessage[]) => Promise<void> {
  const publisher = madeOnce(async () => {
    const [{ client }, { OutboxPublisher }] = await Promise.all([lazyBatchSender(), import('./outbox.ts')]);
    return new OutboxPublisher({ client, queueUrl });
  });
  return async (messages) => {
    if (messages.length === 0) return;
    await (await publisher()).publish(messages);
  };
}
