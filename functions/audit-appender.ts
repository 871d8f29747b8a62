import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ChainAppender } from '../shared/store/audit-appender.ts';
import { linkBatch } from '../shared/store/audit-link.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { ENV } from '../shared/topology.ts';

/** The FIFO audit queue's consumer: the only writer of chain keys (shared/store/audit-appender.ts). */
let appender: ChainAppender | undefined;

export const handler = middy<SQSEvent, SQSBatchResponse>().handler((event) => {
  const tableName = process.env[ENV.auditTable];
  if (!tableName) throw new Error(`${ENV.auditTable} is not set`);
  appender ??= new ChainAppender({ client: createDocumentClient(), tableName });
  return linkBatch(event, appender);
});
