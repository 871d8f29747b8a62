import type { OutboxMessage } from '../model/outbox.ts';
import { QUEUES } from '../topology.ts';
import { BatchSendError, sendInBatches, type BatchClient } from './batch.ts';

/**
 * Publishes outbox messages. At least once: entries SQS rejects are retried;
 * if any still fail, `publish` throws so the caller's record is retried.
 * Publishing the same message twice is harmless: deliver is idempotent on the
 * message id.
 */

export interface OutboxSink {
  publish(messages: readonly OutboxMessage[]): Promise<void>;
}

export class OutboxPublishError extends Error {
  readonly failedIds: readonly string[];
  constructor(failedIds: readonly string[], cause?: unknown) {
    super(`${failedIds.length} outbox message(s) could not be published`, { cause });
    this.name = 'OutboxPublishError';
    this.failedIds = failedIds;
  }
}

const ATTEMPTS = 4;

export class OutboxPublisher implements OutboxSink {
  private readonly client: BatchClient;
  private readonly queueUrl: string;

  constructor(options: { client: BatchClient; queueUrl: string }) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
  }

  async publish(messages: readonly OutboxMessage[]): Promise<void> {
    const bodies = messages.map((m) => ({ id: m.id, body: JSON.stringify(m) }));
    const max = QUEUES.outbox.maximumMessageSizeBytes;
    for (const body of bodies) {
      if (Buffer.byteLength(body.body, 'utf8') > max) throw new OutboxPublishError([body.id], new Error('message larger than the queue allows'));
    }
    try {
      await sendInBatches(this.client, this.queueUrl, bodies, { maxBytes: max, attempts: ATTEMPTS });
    } catch (error) {
      if (error instanceof BatchSendError) throw new OutboxPublishError(error.unsent, error.cause);
      throw error;
    }
  }
}
