import { createHash } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from '../../shared/local/emulators.ts';
import type { QueueDefinition } from '../../shared/topology.ts';

/**
 * The Lambda SQS event source mapping, in small: receive a batch (never a long
 * poll: local-aws-sqs always waits the full time), build real SQSEvent records
 * (with ApproximateReceiveCount, so consumers can see redeliveries), call the
 * consumer, delete what did not fail. Failures stay in the queue, reappear
 * after the queue's visibility timeout, and the emulator redrives them to the
 * DLQ after maxReceiveCount, exactly as in AWS. With ReportBatchItemFailures:
 * a throw, or a failure id that is not in the batch, fails the whole batch.
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
}

export interface Poller {
  /** Finish the batch in hand, then stop. */
  stop(): Promise<void>;
}

/**
 * As many receive loops as the mapping's maximum concurrency: Lambda's pollers
 * stop receiving at the cap, so no batch is received only to be throttled.
 */
export function startPoller(options: PollerOptions): Poller {
  const loops = Array.from({ length: Math.max(1, options.concurrency ?? options.queue.maxConcurrency) }, () => startLoop(options));
  return {
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}

function startLoop(options: PollerOptions): Poller {
  const idleMs = options.idleMs ?? 200;
  let running = true;
  let wake: (() => void) | undefined;

  const loop = (async () => {
    while (running) {
      let messages: Message[] = [];
      try {
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
        if (messages.length > 0) await runBatch(options, messages);
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

async function runBatch(options: PollerOptions, messages: Message[]): Promise<void> {
  const event = buildSqsEvent(messages, options.queueArn);
  let failed: Set<string>;
  try {
    failed = failedIds(await options.consume(event), event);
  } catch (error) {
    options.onError?.(error);
    return; // the whole batch comes back after the visibility timeout
  }
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  if (done.length === 0) return;
  await options.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: options.queueUrl,
      Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    }),
  );
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
        md5OfBody: m.MD5OfBody ?? createHash('md5').update(m.Body ?? '').digest('hex'),
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
