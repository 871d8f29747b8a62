import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildSqsEvent } from '../../infra/local/poller.ts';
import { ChainAppender } from '../../shared/store/audit-appender.ts';
import { linkBatch } from '../../shared/store/audit-link.ts';

/**
 * Runs the appender over everything on the FIFO audit queue, as the event
 * source mapping would, for tests that drive the deployed handlers (which
 * record through the queue) without the local hub's pollers.
 */
export async function linkAuditQueue(sqs: SQSClient, queueUrl: string, client: DynamoDBDocumentClient, tableName: string): Promise<number> {
  const appender = new ChainAppender({ client, tableName });
  let handled = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return handled;
    const { batchItemFailures } = await linkBatch(buildSqsEvent(Messages, 'arn:aws:sqs:eu-west-2:123456789012:audit.fifo'), appender);
    if (batchItemFailures.length) throw new Error(`the appender failed ${batchItemFailures.length} audit queue messages`);
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    );
    handled += Messages.length;
  }
}
