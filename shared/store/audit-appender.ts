import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, AuditEventType } from '../model/index.ts';
import { eventHash, GENESIS_HASH } from './hash.ts';
import { allItems, isConditionFailure } from './client.ts';
import { AUDIT_PREFIX, AUDIT_SORT } from './keys.ts';

/**
 * The one writer of the audit chain.
 *
 * Producers (classify, deliver, the consent form and sweep, erasure) never
 * write chain keys. Each records its event once, under a pending key
 * `EVENTKEY#<council>#<eventKey>` (a conditional put: the same event key is
 * recorded once, however often a producer retries), and then names the event
 * key on the FIFO audit queue, grouped by council. The appender consumes that
 * queue, one council's group at a time and in order, and links each pending
 * event into `CHAIN#<council>` at the next seq. Being the only writer, it
 * never races: one conditional put per event (the condition only guards
 * against a second appender ever running), then it notes the seq in the
 * pending record (so a repeated message is skipped), and once per batch it
 * raises the HEAD mark.
 *
 * Crash windows: after the chain put and before the pending record notes the
 * seq, the event is in the chain but not marked; the next batch reads the
 * events after the HEAD mark first (`settleTail`) and completes their pending
 * records, so a redelivered message is skipped rather than appended twice.
 */

export const EVENT_PREFIX = AUDIT_SORT.event;
const SEQ_DIGITS = 12;
export const seqKey = (seq: number) => `${EVENT_PREFIX}${String(seq).padStart(SEQ_DIGITS, '0')}`;
export const chainPk = (council: string) => `${AUDIT_PREFIX.chain}${council}`;
/** The HEAD mark lives in its own partition, so the appender may update it without being able to update chain events. */
export const headMarkKey = (council: string) => ({ pk: `${AUDIT_PREFIX.chainHead}${council}`, sk: AUDIT_SORT.head });
export const pendingKey = (council: string, eventKey: string) => ({ pk: `${AUDIT_PREFIX.recordedEvent}${council}#${eventKey}`, sk: AUDIT_SORT.recordedEvent });

/** What a producer records: the event without its place in the chain. */
export interface PendingEvent {
  readonly council: string;
  readonly ref: string;
  readonly itemId: string;
  readonly type: AuditEventType;
  readonly at: string;
  readonly data: Record<string, unknown>;
  readonly eventKey: string;
  /** When the producer recorded it (verify reports events left unlinked for long). */
  readonly recordedAt: string;
  /** Set by the appender once the event is in the chain. */
  readonly seq?: number;
}

/** A recorded event as read back from the table. */
export function toPending(item: Record<string, unknown>): PendingEvent {
  return {
    council: String(item.council),
    ref: String(item.ref),
    itemId: String(item.itemId),
    type: item.type as AuditEventType,
    at: String(item.at),
    data: (item.data ?? {}) as Record<string, unknown>,
    eventKey: String(item.eventKey),
    recordedAt: String(item.recordedAt),
    ...(typeof item.seq === 'number' ? { seq: item.seq } : {}),
  };
}

/** Names recorded events for the appender: the FIFO audit queue in production (audit-queue.ts). */
export interface AuditQueue {
  /** Resolves when the keys are durably queued; an in-process queue also says which seq each got. */
  // biome-ignore lint/suspicious/noConfusingVoidType: the SQS queue resolves with nothing, the in-process queue with each key's seq
  enqueue(council: string, eventKeys: readonly string[]): Promise<ReadonlyMap<string, number> | void>;
}

/** An event the appender put in the chain, with the key it was recorded under. */
export type LinkedEvent = AuditEvent & { readonly eventKey: string };

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export class ChainAppender {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.table = options.tableName;
  }

  /**
   * Links the named pending events of one council, in the order given.
   * Returns the events it appended, and the keys that have no pending record
   * (never recorded, or deleted): nothing can be linked for those.
   */
  async link(council: string, eventKeys: readonly string[]): Promise<{ appended: LinkedEvent[]; missing: string[] }> {
    let head = await this.settleTail(council);
    const keys = [...new Set(eventKeys)];
    const pending = await this.pendingEvents(council, keys);
    const appended: LinkedEvent[] = [];
    const missing: string[] = [];
    for (const key of keys) {
      const record = pending.get(key);
      if (!record) missing.push(key);
      if (!record || typeof record.seq === 'number') continue; // already linked: a repeated message
      const event = await this.put(record, head);
      await this.noteLinked(council, key, event.seq);
      appended.push(event);
      head = event;
    }
    const last = appended.at(-1);
    if (last) await this.raiseHeadMark(council, last);
    return { appended, missing };
  }

  private async put(record: PendingEvent, head: ChainHead): Promise<LinkedEvent> {
    const fields = {
      council: record.council,
      seq: head.seq + 1,
      ref: record.ref,
      type: record.type,
      at: record.at,
      itemId: record.itemId,
      data: record.data,
      prevHash: head.hash,
    };
    const event: AuditEvent = { ...fields, hash: eventHash(fields) };
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: chainPk(record.council), sk: seqKey(event.seq), ...event, eventKey: record.eventKey },
        // Never true with one appender; if it ever is, fail rather than overwrite (the message is retried after re-reading the head).
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { ...event, eventKey: record.eventKey };
  }

  /**
   * The true head of the chain. Events after the HEAD mark were appended by a
   * run that stopped before its bookkeeping: complete their pending records
   * and the mark now.
   */
  async settleTail(council: string): Promise<ChainHead> {
    const markItem = (await this.client.send(new GetCommand({ TableName: this.table, Key: headMarkKey(council), ConsistentRead: true }))).Item;
    const mark = markItem && typeof markItem.seq === 'number' ? { seq: markItem.seq, hash: String(markItem.hash) } : undefined;
    const after: Record<string, unknown>[] = [];
    const items = allItems((start) =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk > :from',
          ExpressionAttributeValues: { ':pk': chainPk(council), ':from': seqKey(mark?.seq ?? 0) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
    for await (const item of items) if (String(item.sk).startsWith(EVENT_PREFIX)) after.push(item);
    if (after.length === 0) return mark ?? { seq: 0, hash: GENESIS_HASH };
    for (const item of after) if (typeof item.eventKey === 'string') await this.noteLinked(council, item.eventKey, Number(item.seq));
    const last = after.at(-1)!;
    const head = { seq: Number(last.seq), hash: String(last.hash) };
    await this.raiseHeadMark(council, head);
    return head;
  }

  private async pendingEvents(council: string, keys: readonly string[]): Promise<Map<string, PendingEvent>> {
    const found = new Map<string, PendingEvent>();
    for (let i = 0; i < keys.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
        [this.table]: { Keys: keys.slice(i, i + 100).map((k) => pendingKey(council, k)), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const out = await this.client.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.table] ?? []) found.set(String(item.eventKey), toPending(item));
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  private async noteLinked(council: string, eventKey: string, seq: number): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: pendingKey(council, eventKey),
          UpdateExpression: 'SET seq = :seq',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':seq': seq },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /** The HEAD high-water mark, only ever raised: a chain shorter than it lost its newest events. */
  private async raiseHeadMark(council: string, head: ChainHead): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: headMarkKey(council),
          UpdateExpression: 'SET seq = :s, #h = :h',
          ConditionExpression: 'attribute_not_exists(seq) OR seq < :s',
          ExpressionAttributeNames: { '#h': 'hash' },
          ExpressionAttributeValues: { ':s': head.seq, ':h': head.hash },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/**
 * Links in-process instead of through the queue: one appender per table and
 * council, its calls chained so they never overlap (what the FIFO group gives
 * in AWS). For tests and single-process tools; the deployed functions always
 * use the queue.
 */
export class InlineAuditQueue implements AuditQueue {
  private static readonly tails = new Map<string, Promise<unknown>>();
  /**
   * Runs the in-process appender under the appender's identity: the local IAM
   * enforcement (infra/local/iam) sets it so that the chain writes are
   * evaluated against the auditAppender role, not the producer's.
   */
  static runAsAppender: <T>(link: () => Promise<T>) => Promise<T> = (link) => link();
  private readonly appender: ChainAppender;
  private readonly table: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.appender = new ChainAppender(options);
    this.table = options.tableName;
  }

  async enqueue(council: string, eventKeys: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const id = `${this.table}\u0000${council}`;
    const previous = InlineAuditQueue.tails.get(id) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => InlineAuditQueue.runAsAppender(() => this.appender.link(council, eventKeys)));
    InlineAuditQueue.tails.set(id, run);
    const { appended } = await run;
    return new Map(appended.map((e) => [e.eventKey, e.seq]));
  }
}
