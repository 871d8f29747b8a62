import { SQSClient } from '@aws-sdk/client-sqs';
import type { InboundItem } from '../model/inbound-item.ts';
import { ENV, QUEUES } from '../topology.ts';
import { BatchSendError, sendInBatches, type BatchClient } from './batch.ts';

/**
 * Put normalised items on the inbound queue. At-least-once: an entry that SQS
 * rejects is retried a few times; if any still fails the call throws, so the
 * caller answers 5xx (or lets Lambda retry) instead of acknowledging a lost
 * event. Duplicates are harmless: the classify consumer dedupes on itemId.
 */

/** Mirrors MAX_TEXT_CHARS in shared/model (importing it would load the queue schemas on the ingest path); a unit test keeps them equal. */
export const MAX_QUEUE_TEXT_CHARS = 100_000;
const ATTEMPTS = 4;

// Region and endpoint (AWS_ENDPOINT_URL_SQS) come from the environment; both resolve lazily on first send.
const sqs = new SQSClient({});

export class EnqueueError extends Error {
  readonly failed: number;
  constructor(failed: number, cause?: unknown) {
    super(`${failed} item(s) could not be enqueued`, { cause });
    this.name = 'EnqueueError';
    this.failed = failed;
  }
}

/** The one SQS call the publisher makes; tests inject faults through it. */
export type BatchSender = BatchClient;

export async function enqueueItems(items: readonly InboundItem[], queueUrl?: string, client: BatchSender = sqs): Promise<void> {
  if (items.length === 0) return;
  const url = queueUrl ?? process.env[ENV.inboundQueueUrl];
  if (!url) throw new EnqueueError(items.length, new Error(`${ENV.inboundQueueUrl} is not set`));
  const maxBytes = QUEUES.inbound.maximumMessageSizeBytes;
  const bodies = items.map((item) => serialiseItem(item, maxBytes));
  try {
    await sendInBatches(
      client,
      url,
      bodies.map((body, i) => ({ id: String(i), body })),
      { maxBytes, attempts: ATTEMPTS },
    );
  } catch (error) {
    if (error instanceof BatchSendError) throw new EnqueueError(error.unsent.length, error.cause);
    throw error;
  }
}

/**
 * JSON for one queue message, with `text` cut (and `textTruncated` set) when
 * the item would not fit in `maxBytes` or exceeds MAX_QUEUE_TEXT_CHARS.
 */
export function serialiseItem(item: InboundItem, maxBytes: number = QUEUES.inbound.maximumMessageSizeBytes): string {
  let current = item;
  if (current.text.length > MAX_QUEUE_TEXT_CHARS) {
    current = { ...current, text: cutText(current.text, MAX_QUEUE_TEXT_CHARS), textTruncated: true };
  }
  let body = toSqsSafeJson(current);
  let size = Buffer.byteLength(body, 'utf8');
  while (size > maxBytes && current.text.length > 0) {
    // Scale the text by the share of bytes it may use; the loop repeats if escapes made the estimate short.
    const textBytes = Buffer.byteLength(JSON.stringify(current.text), 'utf8');
    const allowed = textBytes - (size - maxBytes) - 32;
    const keep = allowed <= 0 ? 0 : Math.min(current.text.length - 1, Math.floor((current.text.length * allowed) / textBytes));
    current = { ...current, text: cutText(current.text, keep), textTruncated: true };
    body = toSqsSafeJson(current);
    size = Buffer.byteLength(body, 'utf8');
  }
  return body;
}

/** Cut at a UTF-16 boundary without leaving half a surrogate pair. */
function cutText(text: string, chars: number): string {
  let end = Math.max(0, chars);
  const code = text.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/** SQS refuses U+FFFE and U+FFFF (outside its allowed XML character set); JSON lets us escape them. */
function toSqsSafeJson(item: InboundItem): string {
  return JSON.stringify(item).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
