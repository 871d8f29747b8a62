import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as v from 'valibot';
import { log } from '../runtime/log.ts';

/**
 * SQS consumer with partial batch responses (ReportBatchItemFailures): each
 * record is parsed, validated and handled on its own; only the records that
 * failed are reported, so they alone return to the queue and, after
 * maxReceiveCount, go to the DLQ. A record that is not valid JSON or fails
 * the schema is reported failed too (never silently dropped), and logged by
 * message id only.
 */

export type RecordHandler<T> = (value: T, record: SQSRecord) => Promise<void>;

export function sqsBatchHandler<T>(
  schema: v.GenericSchema<unknown, T>,
  handle: RecordHandler<T>,
  options: { name: string },
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async (event) => {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    // One at a time: a parish sees a few items a day, and the audit chain appends serialise anyway.
    for (const record of event.Records) {
      const failure = await processRecord(record, schema, handle, options.name);
      if (failure) batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    if (batchItemFailures.length) log.warn('batch had failures', { consumer: options.name, failed: batchItemFailures.length, total: event.Records.length });
    return { batchItemFailures };
  };
}

async function processRecord<T>(record: SQSRecord, schema: v.GenericSchema<unknown, T>, handle: RecordHandler<T>, name: string): Promise<boolean> {
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 0);
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    log.error('record is not JSON', { consumer: name, messageId: record.messageId, receiveCount });
    return true;
  }
  const parsed = v.safeParse(schema, json);
  if (!parsed.success) {
    // Field paths and issue types only: values may be personal data.
    const issues = parsed.issues.slice(0, 10).map((i) => `${v.getDotPath(i) ?? ''}:${i.type}`);
    log.error('record failed validation', { consumer: name, messageId: record.messageId, receiveCount, issues });
    return true;
  }
  try {
    await handle(parsed.output, record);
    return false;
  } catch (error) {
    const err = error as { name?: string; message?: string };
    log.error('record failed', { consumer: name, messageId: record.messageId, receiveCount, error: err?.name ?? 'Error', detail: err?.message?.slice(0, 300) });
    return true;
  }
}
