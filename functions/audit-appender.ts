import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ChainAppender } from '../shared/store/audit-appender.ts';
import { chainAppenderFromEnv, linkBatch } from '../shared/store/audit-link.ts';

/** The FIFO audit queue's consumer: the only writer of chain keys (shared/store/audit-appender.ts). */
let appender: ChainAppender | undefined;

export const handler = middy<SQSEvent, SQSBatchResponse>().handler((event) => {
  appender ??= chainAppenderFromEnv();
  return linkBatch(event, appender);
});
