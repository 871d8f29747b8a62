import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deliverDepsFromEnv, outboxConsumer } from '../shared/delivery/consumer.ts';

/** Outbox queue consumer: sends each message on its channel, once (see shared/delivery/deliver.ts). */
let consume: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

export const handler = middy<SQSEvent, SQSBatchResponse>().handler((event) => {
  consume ??= outboxConsumer(deliverDepsFromEnv());
  return consume(event);
});
