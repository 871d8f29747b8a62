import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { OutboxMessage } from '../model/outbox.ts';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { batchSender } from '../queue/batch.ts';
import { sqsBatchHandler } from '../queue/consume.ts';
import { OutboxPublisher } from '../queue/outbox.ts';
import { numberEnv, requireEnv } from '../runtime/env.ts';
import { log } from '../runtime/log.ts';
import { AuditStore } from '../store/audit-store.ts';
import { auditQueueFromEnv } from '../store/audit-queue.ts';
import { createDocumentClient } from '../store/client.ts';
import { OpsStore } from '../store/ops-store.ts';
import { ENV, QUEUES } from '../topology.ts';
import { DeliveryError } from './errors.ts';
import { DEFAULT_PROVIDER_TIMEOUT_MS, deliverOutboxMessage, retryDelaySeconds, type DeliverDeps } from './deliver.ts';

/**
 * The deliver function's shell: the outbox queue's records, one at a time,
 * with partial batch responses. A failed record is given a longer visibility
 * timeout (exponential backoff, ChangeMessageVisibility) before it is reported
 * failed, so a provider outage is retried gently; after the queue's
 * maxReceiveCount it goes to the DLQ, never dropped.
 */

export interface OutboxConsumerDeps extends DeliverDeps {
  /** Sets how long until a failed record is offered again. */
  readonly changeVisibility?: (record: SQSRecord, seconds: number) => Promise<void>;
  readonly retryBaseSeconds?: number;
  /** The outbox queue's maxReceiveCount: a failure on this receive sends the message to the DLQ. */
  readonly maxReceiveCount?: number;
}

export function outboxConsumer(deps: OutboxConsumerDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return sqsBatchHandler(
    OutboxMessage,
    async (msg, record) => {
      try {
        await deliverOutboxMessage(msg, deps);
      } catch (error) {
        const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
        if (receiveCount >= (deps.maxReceiveCount ?? QUEUES.outbox.maxReceiveCount)) await recordDeadLettered(msg, error, receiveCount, deps);
        const seconds = retryDelaySeconds(receiveCount, deps.retryBaseSeconds);
        if (deps.changeVisibility) {
          await deps.changeVisibility(record, seconds).catch((e: unknown) =>
            // The queue's own visibility timeout still brings the record back.
            log.warn('could not set retry backoff', { outboxId: msg.id, error: (e as Error)?.name }),
          );
        }
        throw error;
      }
    },
    { name: 'deliver' },
  );
}

/**
 * The last attempt failed, so SQS moves the message to the DLQ: say so in the
 * audit trail (formal items), or at least in the log, so nothing sits in the
 * DLQ unexplained. Best effort: the record fails either way.
 */
async function recordDeadLettered(msg: OutboxMessage, error: unknown, receiveCount: number, deps: OutboxConsumerDeps): Promise<void> {
  const reason = error instanceof DeliveryError ? error.reason : 'unexpected-error';
  log.error('outbox message goes to the DLQ after its final attempt', { outboxId: msg.id, kind: msg.kind, channel: msg.channel, reason, receiveCount });
  if (!msg.ref) return;
  const at = (deps.now ?? (() => new Date()))().toISOString();
  await deps
    .audit(msg.council)
    .append({
      ref: msg.ref,
      itemId: msg.itemId,
      type: 'dead-lettered',
      at,
      data: { outboxId: msg.id, kind: msg.kind, channel: msg.channel, reason, receiveCount },
      eventKey: `${msg.id}:dead-lettered`,
    })
    .catch((e: unknown) => log.warn('could not record the dead-lettered event', { outboxId: msg.id, error: (e as Error)?.name }));
}

/** Production wiring from the environment (tables, queue, council policy). */
export function deliverDepsFromEnv(env: NodeJS.ProcessEnv = process.env): OutboxConsumerDeps {
  const client = createDocumentClient();
  const { opsTable, auditTable } = requireEnv(['opsTable', 'auditTable'], env);
  const ops = new OpsStore({ client, tableName: opsTable });
  const audits = new Map<string, AuditStore>();
  // Every delivery records an event through the audit queue, so SQS is imported statically (no extra files at a cold start).
  const sqs = new SQSClient({});
  const auditQueue = auditQueueFromEnv(batchSender(sqs), env);
  const queueUrl = env[ENV.outboxQueueUrl];
  const timeoutMs = numberEnv('providerTimeoutMs', DEFAULT_PROVIDER_TIMEOUT_MS, env);
  const publisher = queueUrl ? new OutboxPublisher({ client: sqs, queueUrl }) : undefined;
  return {
    ops,
    ...(publisher ? { notify: (messages: readonly OutboxMessage[]) => publisher.publish(messages) } : {}),
    audit: (council) => {
      let store = audits.get(council);
      if (!store) audits.set(council, (store = new AuditStore({ client, tableName: auditTable, council, queue: auditQueue })));
      return store;
    },
    env,
    timeoutMs: timeoutMs > 0 ? timeoutMs : DEFAULT_PROVIDER_TIMEOUT_MS,
    retryBaseSeconds: numberEnv('outboxRetryBaseSeconds', 30, env),
    ...(queueUrl
      ? {
          async changeVisibility(record: SQSRecord, seconds: number) {
            await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }));
          },
        }
      : {}),
  };
}
