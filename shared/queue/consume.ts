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
    const keys = keysNamedIn(schema);
    const issues = parsed.issues.slice(0, 10).map((issue) => describeIssue(issue, keys));
    log.error('record failed validation', { consumer: name, messageId: record.messageId, receiveCount, issues });
    return true;
  }
  try {
    await handle(parsed.output, record);
    return false;
  } catch (error) {
    const err = error as { name?: string; message?: string };
    // A ValiError's message quotes the value it rejected, which may be personal data.
    const detail = v.isValiError(error) ? undefined : err?.message?.slice(0, 300);
    log.error('record failed', { consumer: name, messageId: record.messageId, receiveCount, error: err?.name ?? 'Error', detail });
    return true;
  }
}

/**
 * `sender.id:string`, `recipients.1:string`, `text:missing`: where and what,
 * never the value, which may be personal data. A key is named only if the
 * schema names it: a record's keys come from the message (a key may be an
 * address) and are logged as `*`.
 */
function describeIssue(issue: v.BaseIssue<unknown>, keys: ReadonlySet<unknown>): string {
  const path = (issue.path ?? []).map((step) => (typeof step.key === 'number' || keys.has(step.key) ? String(step.key) : '*')).join('.');
  // v.object reports a missing key as an issue of the object itself, at that key.
  const missing = issue.type === 'object' && issue.path?.at(-1)?.origin === 'key';
  return `${path}:${missing ? 'missing' : issue.type}`;
}

/** Every object key written in the schema, through arrays, optionals, unions and records. */
function keysNamedIn(schema: unknown, keys = new Set<string>()): Set<string> {
  if (!schema || typeof schema !== 'object') return keys;
  const { entries, item, wrapped, value, options } = schema as Record<string, unknown>;
  for (const [key, entry] of Object.entries(entries ?? {})) {
    keys.add(key);
    keysNamedIn(entry, keys);
  }
  for (const child of [item, wrapped, value, ...(Array.isArray(options) ? options : [])]) keysNamedIn(child, keys);
  return keys;
}
