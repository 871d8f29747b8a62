import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { log } from '../runtime/log.ts';
import { requireEnv } from '../runtime/env.ts';
import { ChainAppender } from './audit-appender.ts';
import { createDocumentClient } from './client.ts';
import type { AuditQueueMessage } from './audit-queue.ts';

/**
 * The appender's SQS batch: messages of one council's FIFO group, in order.
 * Consecutive messages of the same council are linked in one call (one head
 * read, one HEAD mark update). If a run fails, that message and every later
 * message of its council are reported failed, so SQS offers them again in
 * the same order (AWS's rule for FIFO partial batch responses); linking is
 * idempotent, so the ones that did make it are skipped next time.
 */
export async function linkBatch(event: SQSEvent, appender: Pick<ChainAppender, 'link'>): Promise<SQSBatchResponse> {
  const failed = new Set<string>();
  const blocked = new Set<string>();
  for (const run of runsByCouncil(event.Records)) {
    if (run.council === undefined) {
      // Not ours: logged and acknowledged, never retried forever.
      for (const record of run.records) log.error('audit queue message is not {council, eventKey}', { messageId: record.messageId });
      continue;
    }
    if (blocked.has(run.council)) {
      for (const record of run.records) failed.add(record.messageId);
      continue;
    }
    try {
      const { appended, missing } = await appender.link(run.council, run.keys);
      if (missing.length) log.error('audit events named on the queue have no pending record', { council: run.council, missing: missing.length });
      if (appended.length) log.info('audit events linked', { council: run.council, from: appended[0]!.seq, to: appended.at(-1)!.seq });
    } catch (error) {
      blocked.add(run.council);
      for (const record of run.records) failed.add(record.messageId);
      log.error('linking audit events failed; the council group is retried in order', {
        council: run.council,
        error: (error as Error)?.name,
        detail: (error as Error)?.message?.slice(0, 300),
      });
    }
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

interface Run {
  readonly council: string | undefined;
  readonly keys: string[];
  readonly records: SQSRecord[];
}

function runsByCouncil(records: readonly SQSRecord[]): Run[] {
  const runs: Run[] = [];
  for (const record of records) {
    const message = parse(record.body);
    const last = runs.at(-1);
    if (last && message && last.council === message.council) {
      last.keys.push(message.eventKey);
      last.records.push(record);
    } else {
      runs.push({ council: message?.council, keys: message ? [message.eventKey] : [], records: [record] });
    }
  }
  return runs;
}

function parse(body: string): AuditQueueMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<AuditQueueMessage>;
    return typeof value.council === 'string' && typeof value.eventKey === 'string' && value.council && value.eventKey
      ? { council: value.council, eventKey: value.eventKey }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Production wiring of the appender from the environment. */
export function chainAppenderFromEnv(env: NodeJS.ProcessEnv = process.env): ChainAppender {
  return new ChainAppender({ client: createDocumentClient(), tableName: requireEnv(['auditTable'], env).auditTable });
}
