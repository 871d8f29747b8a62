import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * The one SQS batch sender (inbound items, outbox messages, audit events):
 * entries go in batches of at most 10 and `maxBytes`; entries SQS does not
 * report as successful are sent again, up to `attempts` times with a short
 * backoff. The first batch that still has unsent entries stops the send and
 * throws BatchSendError naming them, so the caller can fail its own request
 * (answer 5xx, or let its queue redeliver) instead of losing anything.
 */

export interface BatchEntry {
  /** The caller's id for the entry (an outbox message id, an event key); only reported back. */
  readonly id: string;
  readonly body: string;
  /** FIFO queues: the message group and deduplication id. */
  readonly groupId?: string;
  readonly deduplicationId?: string;
}

/** The one SQS call made; tests inject faults through it. */
export type BatchClient = Pick<SQSClient, 'send'>;

/**
 * How a queue writer reaches SQS: the client and this module's sender, on
 * first use. Functions that send on every invocation give `batchSender(client)`;
 * those that send only now and then give `lazyBatchSender` (lazy-batch-sender.ts),
 * which keeps the SQS client off their cold start.
 */
export type SqsBatchSender = () => Promise<{ readonly client: BatchClient; readonly sendInBatches: typeof sendInBatches }>;

export const batchSender =
  (client: BatchClient): SqsBatchSender =>
  async () => ({ client, sendInBatches });

export class BatchSendError extends Error {
  /** Ids of the entries that were not sent. */
  readonly unsent: readonly string[];
  constructor(unsent: readonly string[], cause: unknown) {
    super(`SQS did not accept ${unsent.length} entries`, { cause });
    this.name = 'BatchSendError';
    this.unsent = unsent;
  }
}

const MAX_ENTRIES = 10;

export async function sendInBatches(
  client: BatchClient,
  queueUrl: string,
  entries: readonly BatchEntry[],
  options: { readonly maxBytes: number; readonly attempts: number },
): Promise<void> {
  for (const batch of batches(entries, options.maxBytes)) await sendBatch(client, queueUrl, batch, options.attempts);
}

async function sendBatch(client: BatchClient, queueUrl: string, batch: readonly BatchEntry[], attempts: number): Promise<void> {
  // Batch entry ids must be short and plain: the position in the batch.
  let pending: SendMessageBatchRequestEntry[] = batch.map((entry, i) => ({
    Id: String(i),
    MessageBody: entry.body,
    ...(entry.groupId ? { MessageGroupId: entry.groupId } : {}),
    ...(entry.deduplicationId ? { MessageDeduplicationId: entry.deduplicationId } : {}),
  }));
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    try {
      const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      // Anything not reported successful is sent again.
      const ok = new Set((out.Successful ?? []).map((s) => s.Id));
      pending = pending.filter((entry) => !ok.has(entry.Id));
      if (pending.length > 0) lastError = new Error(`SQS rejected ${pending.length} entries: ${(out.Failed ?? []).map((f) => f.Code).join(',')}`);
    } catch (error) {
      lastError = error;
    }
  }
  if (pending.length > 0)
    throw new BatchSendError(
      pending.map((entry) => batch[Number(entry.Id)]!.id),
      lastError,
    );
}

/** At most 10 entries and `maxBytes` of bodies per batch, in order. */
export function batches<T extends { readonly body: string }>(entries: readonly T[], maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.body, 'utf8');
    if (current.length > 0 && (current.length === MAX_ENTRIES || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
