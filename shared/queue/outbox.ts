import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { OutboxMessage } from '../model/outbox.ts';
import { QUEUES } from '../topology.ts';

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

const MAX_ENTRIES = 10;
const ATTEMPTS = 4;

export class OutboxPublisher implements OutboxSink {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
  }

  async publish(messages: readonly OutboxMessage[]): Promise<void> {
    const bodies = messages.map((m) => ({ id: m.id, body: JSON.stringify(m) }));
    const max = QUEUES.outbox.maximumMessageSizeBytes;
    for (const body of bodies) {
      if (Buffer.byteLength(body.body, 'utf8') > max) throw new OutboxPublishError([body.id], new Error('message larger than the queue allows'));
    }
    for (const chunk of chunks(bodies, max)) await this.send(chunk);
  }

  private async send(chunk: readonly { id: string; body: string }[]): Promise<void> {
    // Batch entry ids must be short and plain; the message id travels in the body.
    let pending: SendMessageBatchRequestEntry[] = chunk.map((c, i) => ({ Id: String(i), MessageBody: c.body }));
    let lastError: unknown;
    for (let attempt = 0; attempt < ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      try {
        const out = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
        const ok = new Set((out.Successful ?? []).map((s) => s.Id));
        pending = pending.filter((e) => !ok.has(e.Id));
        if (pending.length) lastError = new Error(`SQS rejected entries: ${(out.Failed ?? []).map((f) => f.Code).join(',')}`);
      } catch (error) {
        lastError = error;
      }
    }
    if (pending.length > 0) throw new OutboxPublishError(pending.map((e) => chunk[Number(e.Id)]!.id), lastError);
  }
}

/** At most 10 entries and `maxBytes` per batch. */
function chunks<T extends { body: string }>(items: readonly T[], maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item.body, 'utf8');
    if (current.length > 0 && (current.length === MAX_ENTRIES || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}
