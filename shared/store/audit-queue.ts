import { createHash } from 'node:crypto';
import type { SqsBatchSender } from '../queue/batch.ts';
import { ENV, QUEUES } from '../topology.ts';
import type { AuditQueue } from './audit-appender.ts';

/**
 * The FIFO audit queue (topology QUEUES.audit): one message per recorded
 * event, grouped by council so the appender links each council's events one
 * at a time and in the order they were recorded. The deduplication id is the
 * event key, so a producer that retries within SQS's five-minute window sends
 * it once; later repeats are skipped by the appender (the pending record
 * already has its seq).
 */

export interface AuditQueueMessage {
  readonly council: string;
  readonly eventKey: string;
}

export class SqsAuditQueue implements AuditQueue {
  private readonly sender: SqsBatchSender;
  private readonly queueUrl: string;

  /** `sender` is `batchSender(client)`, or `lazyBatchSender` where most requests record nothing (queue/lazy-batch-sender.ts). */
  constructor(options: { queueUrl: string; sender: SqsBatchSender }) {
    this.sender = options.sender;
    this.queueUrl = options.queueUrl;
  }

  async enqueue(council: string, eventKeys: readonly string[]): Promise<void> {
    const { client, sendInBatches } = await this.sender();
    const entries = eventKeys.map((eventKey) => ({
      id: eventKey,
      body: JSON.stringify({ council, eventKey } satisfies AuditQueueMessage),
      groupId: council,
      deduplicationId: createHash('sha256').update(`${council}\n${eventKey}`).digest('hex'),
    }));
    // One attempt: a refusal throws, and the producer's own retry sends the events again (the deduplication id makes that safe).
    await sendInBatches(client, this.queueUrl, entries, { maxBytes: QUEUES.audit.maximumMessageSizeBytes, attempts: 1 });
  }
}

/** The deployed functions' queue: AUDIT_QUEUE_URL must be set (the stack sets it on every recording function). */
export function auditQueueFromEnv(sender: SqsBatchSender, env: NodeJS.ProcessEnv = process.env): SqsAuditQueue {
  const queueUrl = env[ENV.auditQueueUrl];
  if (!queueUrl) throw new Error(`${ENV.auditQueueUrl} is not set`);
  return new SqsAuditQueue({ queueUrl, sender });
}

/** The local hub's audit queue, from its hub.json (shared/cli): events the CLI records reach the hub's appender. */
export function localAuditQueue(info: { readonly sqsEndpoint?: string; readonly auditQueueUrl?: string }, sender: SqsBatchSender): SqsAuditQueue | undefined {
  if (!info.auditQueueUrl) return undefined;
  return new SqsAuditQueue({ queueUrl: info.auditQueueUrl, sender });
}
