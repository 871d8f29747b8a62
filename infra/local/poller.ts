import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from './emulators.ts';
import type { QueueDefinition } from '../../shared/topology.ts';

/**
 * The Lambda SQS event source mapping, in small: receive a batch (never a long
 * poll: local-aws-sqs always waits the full time), build real SQSEvent records
 * (with ApproximateReceiveCount, so consumers can see redeliveries), call the
 * consumer, delete what did not fail. Failures stay in the queue, reappear
 * after the queue's visibility timeout, and the emulator redrives them to the
 * DLQ after maxReceiveCount, exactly as in AWS. With ReportBatchItemFailures:
 * a throw, or a failure id that is not in the batch, fails the whole batch.
 *
 * FIFO queues: local-aws-sqs keeps order and deduplicates, but hands out a
 * group's later messages while an earlier one is in flight. The poller keeps
 * AWS's rule instead: once a message of a group fails, the later messages of
 * that group in the batch count as failed too, and until the failed message
 * is received again any message of the group that is received goes back
 * unprocessed, to become visible just after it, so the group resumes in order.
 */

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queue: QueueDefinition;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly consume: (event: SQSEvent) => Promise<unknown>;
  /** Sleep between empty receives, ms. */
  readonly idleMs?: number;
  /** Batches handled at once; the mapping's maximum concurrency unless given. */
  readonly concurrency?: number;
  readonly onError?: (error: unknown) => void;
  /** The invocation was throttled (Lambda's TooManyRequestsException): the batch stays in flight, as in AWS. */
  readonly onThrottle?: (error: unknown) => void;
}

export interface Poller {
  /** Finish the batch in hand, then stop. */
  stop(): Promise<void>;
}

/**
 * As many receive loops as the mapping's maximum concurrency: Lambda's pollers
 * stop receiving at the cap, so no batch is received only to be throttled.
 * A FIFO queue gets one loop: its group state (and order) lives in the loop,
 * and AWS never has two batches of one group in flight anyway.
 */
export function startPoller(options: PollerOptions): Poller {
  const loops = Array.from({ length: options.queue.fifo ? 1 : Math.max(1, options.concurrency ?? options.queue.maxConcurrency) }, () => startLoop(options));
  return {
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}

function startLoop(options: PollerOptions): Poller {
  const idleMs = options.idleMs ?? 200;
  const blocked = new Map<string, Block>();
  let running = true;
  let wake: (() => void) | undefined;

  const loop = (async () => {
    while (running) {
      let messages: Message[] = [];
      try {
        const receivedAt = Date.now();
        const received = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.queue.batchSize,
            WaitTimeSeconds: 0,
            VisibilityTimeout: options.queue.visibilityTimeoutSeconds,
            AttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = received.Messages ?? [];
        const ready = options.queue.fifo ? await withoutBlockedGroups(options, messages, blocked) : messages;
        if (ready.length > 0) await runBatch(options, ready, blocked, receivedAt);
      } catch (error) {
        if (running) options.onError?.(error);
      }
      if (messages.length === 0 && running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idleMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  })();

  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}

async function runBatch(options: PollerOptions, messages: Message[], blocked: Map<string, Block>, receivedAt: number): Promise<void> {
  const event = buildSqsEvent(messages, options.queueArn);
  const visibleAgainAt = receivedAt + options.queue.visibilityTimeoutSeconds * 1000;
  let failed: Set<string>;
  try {
    failed = failedIds(await consumeRetryingThrottles(options, event, visibleAgainAt), event);
  } catch (error) {
    // Thrown, or throttled for the whole visibility timeout: the batch comes back, one receive counted,
    // so a message throttled that long can reach the DLQ without the function ever seeing it, as in AWS.
    if (!isThrottle(error)) options.onError?.(error);
    failed = new Set(messages.map((m) => m.MessageId!));
  }
  if (options.queue.fifo) failed = blockGroups(messages, failed, blocked, visibleAgainAt);
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  if (done.length === 0) return;
  await options.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: options.queueUrl,
      Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    }),
  );
}

const THROTTLE_RETRY_MS = { first: 100, max: 2_000 };

const isThrottle = (error: unknown) => (error as Error)?.name === 'TooManyRequestsException';

/**
 * Lambda's poller retries a throttled invocation of a batch it holds while the
 * batch is still invisible (why AWS asks for a visibility timeout of six times
 * the function timeout); only throttling that outlasts the visibility timeout
 * costs a receive.
 */
async function consumeRetryingThrottles(options: PollerOptions, event: SQSEvent, visibleAgainAt: number): ReturnType<PollerOptions['consume']> {
  for (let wait = THROTTLE_RETRY_MS.first; ; wait = Math.min(wait * 2, THROTTLE_RETRY_MS.max)) {
    try {
      return await options.consume(event);
    } catch (error) {
      if (!isThrottle(error)) throw error;
      options.onThrottle?.(error);
      if (Date.now() + wait >= visibleAgainAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** A FIFO group held behind its failed message, until that message is received again (or moved to the DLQ: then `until`). */
interface Block {
  readonly messageId: string;
  /** When the failed message is visible again. */
  readonly visibleAt: number;
  readonly until: number;
}

/** FIFO: messages of a group that waits for an earlier failed message go back unprocessed. */
async function withoutBlockedGroups(options: PollerOptions, messages: Message[], blocked: Map<string, Block>): Promise<Message[]> {
  const now = Date.now();
  for (const [group, block] of blocked) if (block.until <= now || messages.some((m) => m.MessageId === block.messageId)) blocked.delete(group);
  const held = messages.filter((m) => blocked.has(m.Attributes?.MessageGroupId ?? ''));
  if (held.length > 0) {
    // Back just after the failed message, so the group resumes in order (and is not received again meanwhile).
    await options.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: held.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.ReceiptHandle!,
          VisibilityTimeout: Math.max(0, Math.ceil((blocked.get(m.Attributes?.MessageGroupId ?? '')!.visibleAt - now) / 1000)) + 1,
        })),
      }),
    );
  }
  return messages.filter((m) => !held.includes(m));
}

/** FIFO: a failed message fails every later message of its group in the batch, and blocks the group until it is received again. */
function blockGroups(messages: Message[], failed: Set<string>, blocked: Map<string, Block>, visibleAgainAt: number): Set<string> {
  const all = new Set(failed);
  for (const m of messages) {
    const group = m.Attributes?.MessageGroupId ?? '';
    const block = blocked.get(group);
    if (block) all.add(m.MessageId!);
    else if (all.has(m.MessageId!))
      blocked.set(group, { messageId: m.MessageId!, visibleAt: visibleAgainAt, until: visibleAgainAt + (visibleAgainAt - Date.now()) + 5_000 });
  }
  return all;
}

function failedIds(result: unknown, event: SQSEvent): Set<string> {
  const all = new Set(event.Records.map((r) => r.messageId));
  const failures = (result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | undefined)?.batchItemFailures;
  if (!Array.isArray(failures)) return new Set();
  const ids = new Set<string>();
  for (const failure of failures) {
    const id = failure?.itemIdentifier;
    // As in AWS: an empty or unknown identifier fails the whole batch.
    if (typeof id !== 'string' || !all.has(id)) return all;
    ids.add(id);
  }
  return ids;
}

export function buildSqsEvent(messages: Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map(
      (m): SQSRecord => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: m.Attributes?.SenderId ?? 'AIDALOCALHUB',
          ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
          ...(m.Attributes?.DeadLetterQueueSourceArn ? { DeadLetterQueueSourceArn: m.Attributes.DeadLetterQueueSourceArn } : {}),
          ...(m.Attributes?.AWSTraceHeader ? { AWSTraceHeader: m.Attributes.AWSTraceHeader } : {}),
        },
        messageAttributes: lambdaAttributes(m.MessageAttributes),
        md5OfBody:
          m.MD5OfBody ??
          createHash('md5')
            .update(m.Body ?? '')
            .digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: LOCAL_REGION,
      }),
    ),
  };
}

/** Lambda spells message attributes in camelCase, with list fields always present. */
function lambdaAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
    };
  }
  return out;
}
