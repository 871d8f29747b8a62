import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Attachment, AuditEvent, AuditEventType, AuditSummary, Channel, Classification, ConsentStatus, Party } from '../model/index.ts';
import { canonicalJson, GENESIS_HASH, sha256Hex } from './hash.ts';
import { londonDay } from '../runtime/london-time.ts';
import { chainPk, EVENT_PREFIX, headMarkKey, InlineAuditQueue, pendingKey, seqKey, toPending, type AuditQueue, type PendingEvent } from './audit-appender.ts';
import type { ItemRecord } from './verify-audit.ts';
import { mergePages, planChainRanges, readRanges, type RangeQuery } from './parallel-read.ts';
import { ChainWalker, checkHeadMark, type Checkpoint, type ContentSeen, type Finding } from './audit-verify.ts';
import { allItems, isConditionFailure } from './client.ts';
import { AUDIT_PREFIX, AUDIT_SORT } from './keys.ts';

/**
 * The audit table. Three kinds of record:
 *
 * - events, `pk = CHAIN#<council>`, `sk = EVENT#<seq, 12 digits>`: append-only and
 *   hash-chained. Each event's hash covers its fields and the previous event's
 *   hash, so altering, removing or reordering an event breaks the chain at a seq
 *   an auditor can name. Events never hold personal data.
 * - one summary per audited item, `pk = ITEM#<ref>`, `sk = SUMMARY`: what auditors
 *   list and filter (the GSI attributes live only here). Mutable only in its
 *   consent status and, on erasure, its sender hash.
 * - the item's personal content, `pk = ITEM#<ref>`, `sk = CONTENT`: sender, subject,
 *   text, attachment list. The 'received' event carries its sha256, so the
 *   content can be checked against the chain, and replaced by a tombstone on
 *   erasure without breaking the chain.
 *
 * dynalite has no transactions, so every write is a conditional put on a
 * deterministic key (see `append` for the crash windows).
 */

export interface AuditStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly council: string;
  /**
   * Where recorded events go to be linked into the chain: the FIFO audit
   * queue in the deployed functions (audit-queue.ts). Without one, events are
   * linked in-process (tests, single-process tools).
   */
  readonly queue?: AuditQueue;
  /** Wall clock (tests). */
  readonly clock?: () => number;
  /** Events per range when the chain is read in parallel (parallel-read.ts; tests use small ones). */
  readonly rangeEvents?: number;
}

export interface AppendInput {
  readonly ref: string;
  readonly itemId: string;
  readonly type: AuditEventType;
  readonly at: string;
  /** Facts without personal data: rule ids, clauses, outbox ids, statuses, hashes. */
  readonly data: Record<string, unknown>;
  /** Deterministic idempotency key, e.g. `${itemId}:received`, `${outboxId}:reply-sent`. */
  readonly eventKey: string;
}

/** Personal content of one item, stored apart from the chain. */
export interface PersonalContent {
  /**
   * The summary's sender hash, kept with (and hashed with) the content, so
   * verify can bind the summary's sender to the chain without the chain ever
   * holding a sender identifier; erasure removes it with the content.
   */
  readonly senderHash?: string;
  readonly sender: Party;
  readonly headerFrom?: Party;
  readonly replyTo?: readonly string[];
  readonly subject?: string;
  readonly text: string;
  readonly textTruncated?: boolean;
  /**
   * The full content, when it was too large for a DynamoDB item: an object in
   * the encrypted raw-mail bucket, with its size and SHA-256 (hashed with the
   * record, so the chain binds the full text too). `text` then holds its start.
   */
  readonly fullContent?: { readonly key: string; readonly bytes: number; readonly sha256: string };
  readonly attachments: readonly Attachment[];
}

export interface ContentRecord {
  readonly ref: string;
  /** Absent once erased. */
  readonly content?: PersonalContent;
  /** sha256 hex of the canonical JSON of the content, as in the 'received' event. */
  readonly contentHash: string;
  readonly retainUntil: string;
  readonly erased?: { readonly at: string; readonly reason: string };
}

export interface SummaryFilter {
  /** ISO date (YYYY-MM-DD, a Europe/London day, inclusive) or ISO date-time. */
  readonly from?: string;
  readonly to?: string;
  readonly channel?: Channel;
  readonly classification?: Classification;
  readonly consentStatus?: ConsentStatus;
  readonly senderHash?: string;
  /** The leading hex of a sender hash, as `hub audit list` shows it (12 characters). */
  readonly senderHashPrefix?: string;
  readonly ref?: string;
}

export type ChainCheck =
  | { readonly ok: true; readonly count: number; readonly headHash: string }
  | { readonly ok: false; readonly brokenAt: number; readonly problem: string };

const ERASED_SENDER = 'erased';

/** An audited item's summary or content record: `ITEM#<ref>` / `SUMMARY` or `CONTENT`. */
const itemKey = (ref: string, record: 'summary' | 'content') => ({ pk: `${AUDIT_PREFIX.item}${ref}`, sk: AUDIT_SORT[record] });

export class AuditStore {
  readonly council: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly queue: AuditQueue;
  private readonly clock: () => number;
  private readonly rangeEvents: number | undefined;

  constructor(options: AuditStoreOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.council = options.council;
    this.queue = options.queue ?? new InlineAuditQueue({ client: options.client, tableName: options.tableName });
    this.clock = options.clock ?? Date.now;
    this.rangeEvents = options.rangeEvents;
  }

  private get chainPk(): string {
    return chainPk(this.council);
  }

  /**
   * Records one event, exactly once per `eventKey`, and hands it to the
   * appender, the chain's only writer (audit-appender.ts). The record is
   * durable when this returns; its place in the chain follows within seconds.
   * A repeat (a redelivered producer) records nothing new and names the key
   * again, which the appender skips if it was already linked.
   */
  async append(input: AppendInput): Promise<PendingEvent> {
    const key = pendingKey(this.council, input.eventKey);
    const record: PendingEvent = {
      council: this.council,
      ref: input.ref,
      itemId: input.itemId,
      type: input.type,
      at: input.at,
      data: JSON.parse(JSON.stringify(input.data)) as Record<string, unknown>,
      eventKey: input.eventKey,
      recordedAt: new Date(this.clock()).toISOString(),
    };
    let recorded = record;
    try {
      await this.client.send(new PutCommand({ TableName: this.table, Item: { ...key, ...record }, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = (await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
      if (existing) recorded = toPending(existing);
    }
    if (typeof recorded.seq === 'number') return recorded;
    const seq = (await this.queue.enqueue(this.council, [input.eventKey]))?.get(input.eventKey);
    return seq === undefined ? recorded : { ...recorded, seq };
  }

  /** The events after a seq, in order (a digest reads only what is new since the last one). */
  async *eventsAfter(seq: number): AsyncGenerator<AuditEvent> {
    const items = allItems((start) =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk > :from',
          ExpressionAttributeValues: { ':pk': this.chainPk, ':from': seqKey(seq) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
    for await (const item of items) if (String(item.sk).startsWith(EVENT_PREFIX)) yield toEvent(item);
  }

  /**
   * Every event of the council's chain, in seq order. Given the head the chain
   * should have (the HEAD mark's seq), it reads sort-key ranges in parallel
   * (parallel-read.ts); the events read are the same either way.
   */
  async *chainEvents(head?: number): AsyncGenerator<AuditEvent> {
    const query: RangeQuery = async (range, start) => {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: range.to === undefined ? 'pk = :pk AND sk >= :from' : 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': this.chainPk, ':from': range.from, ...(range.to === undefined ? {} : { ':to': range.to }) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      return { items: out.Items ?? [], ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}) };
    };
    for await (const item of readRanges(planChainRanges(head, this.rangeEvents), query)) yield toEvent(item);
  }

  /** The HEAD high-water mark: the highest seq (and its hash) ever appended. */
  async headMark(): Promise<Checkpoint | undefined> {
    const mark = (await this.client.send(new GetCommand({ TableName: this.table, Key: headMarkKey(this.council), ConsistentRead: true }))).Item;
    return mark && typeof mark.seq === 'number' ? { seq: mark.seq, hash: String(mark.hash) } : undefined;
  }

  /**
   * Every summary, every content record and every event record not yet
   * linked, read from the byRecordType index (partition key `sk`), so verify
   * reads them without reading the chain and the linked event records too.
   * Every item has an `sk`, so no record can be missing from the index; but an
   * index may lag a write by a moment, so verify re-reads from the table
   * (`recheck`) whatever disagrees with the chain before it reports it.
   * Content is reduced to its recomputed hash as it is read: verify never
   * holds message text.
   */
  async *itemRecords(): AsyncGenerator<ItemRecord> {
    const read = (sk: string, filter?: string) => this.recordTypePages(sk, filter);
    let yielded = false;
    try {
      for await (const record of mergePages([read(AUDIT_SORT.summary), read(AUDIT_SORT.content), read(AUDIT_SORT.recordedEvent, PENDING_FILTER)])) {
        yielded = true;
        yield record;
      }
    } catch (error) {
      // A table from before the index (an old local data dir), or while AWS builds it after a deploy: scan, as before.
      if (yielded || !isIndexUnavailable(error)) throw error;
      yield* this.scanItemRecords();
    }
  }

  /** The same records by a parallel scan of the whole table (it reads every chain event and event record too). */
  private scanItemRecords(segments = 4): AsyncGenerator<ItemRecord> {
    const segment = async function* (this: AuditStore, n: number): AsyncGenerator<ItemRecord[]> {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.client.send(
          new ScanCommand({
            TableName: this.table,
            Segment: n,
            TotalSegments: segments,
            FilterExpression: `sk IN (:s, :c) OR (sk = :e AND ${PENDING_FILTER})`,
            ExpressionAttributeValues: { ':s': AUDIT_SORT.summary, ':c': AUDIT_SORT.content, ':e': AUDIT_SORT.recordedEvent },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        yield (out.Items ?? []).map(itemRecord);
        start = out.LastEvaluatedKey;
      } while (start);
    };
    return mergePages(Array.from({ length: segments }, (_, n) => segment.call(this, n)));
  }

  private async *recordTypePages(sk: string, filter: string | undefined): AsyncGenerator<ItemRecord[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: RECORD_TYPE_INDEX,
          KeyConditionExpression: 'sk = :sk',
          ExpressionAttributeValues: { ':sk': sk },
          ...(filter ? { FilterExpression: filter } : {}),
          ExclusiveStartKey: start,
        }),
      );
      yield (out.Items ?? []).map(itemRecord);
      start = out.LastEvaluatedKey;
    } while (start);
  }

  /**
   * The summaries and content of these items, and these event records if
   * still unlinked, as the table holds them now (strongly consistent reads):
   * what verify checks again before it reports a record the index showed.
   */
  async recheck(refs: readonly string[], eventKeys: readonly string[]): Promise<ItemRecord[]> {
    const keys = [
      ...refs.flatMap((ref) => [itemKey(ref, 'summary'), itemKey(ref, 'content')]),
      ...eventKeys.map((eventKey) => pendingKey(this.council, eventKey)),
    ];
    const found = await inBatches(keys, 16, async (Key) => (await this.client.send(new GetCommand({ TableName: this.table, Key, ConsistentRead: true }))).Item);
    return found
      .filter((item): item is Record<string, unknown> => item !== undefined && !(item.sk === AUDIT_SORT.recordedEvent && typeof item.seq === 'number'))
      .map(itemRecord);
  }

  /** The chain alone (links, hashes, the HEAD mark): the first problem, for callers that only need yes or no. `hub audit verify` checks far more (verify-audit.ts). */
  async verify(): Promise<ChainCheck> {
    const mark = await this.headMark();
    const walker = new ChainWalker(this.council, (seq) => seq === mark?.seq);
    for await (const event of this.chainEvents(mark?.seq)) {
      walker.push(event);
      if (walker.findings.length > 0) break;
    }
    return chainCheck(walker, walker.findings.length > 0 ? [] : checkHeadMark(walker, mark));
  }

  /** The events of one item (by reference), in seq order. */
  async eventsFor(ref: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    const items = allItems((start) =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byReference',
          KeyConditionExpression: '#ref = :ref AND begins_with(sk, :e)',
          ExpressionAttributeNames: { '#ref': 'ref' },
          ExpressionAttributeValues: { ':ref': ref, ':e': EVENT_PREFIX },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for await (const item of items) events.push(toEvent(item));
    return events.sort((a, b) => a.seq - b.seq);
  }

  /** Writes the item's summary once; a repeat keeps the first (idempotent). */
  async putSummary(summary: AuditSummary): Promise<void> {
    await this.putOnce({ ...itemKey(summary.ref, 'summary'), ...summary });
  }

  async getSummary(ref: string): Promise<AuditSummary | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: itemKey(ref, 'summary'), ConsistentRead: true }));
    return out.Item ? toSummary(out.Item) : undefined;
  }

  /**
   * Sets the summary's consent status. With `onlyFrom`, only when the current
   * status is one of those (so an expiry never overwrites a grant). Returns
   * whether it changed; throws if the summary does not exist.
   */
  async setConsentStatus(ref: string, status: ConsentStatus, options: { onlyFrom?: readonly ConsentStatus[] } = {}): Promise<boolean> {
    const values: Record<string, unknown> = { ':s': status };
    let condition = 'attribute_exists(pk)';
    if (options.onlyFrom && options.onlyFrom.length > 0) {
      const keys = options.onlyFrom.map((s, i) => {
        values[`:f${i}`] = s;
        return `:f${i}`;
      });
      condition += ` AND consentStatus IN (${keys.join(', ')})`;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: itemKey(ref, 'summary'),
          UpdateExpression: 'SET consentStatus = :s',
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (!(await this.getSummary(ref))) throw new Error(`no audit summary for ${ref}`);
      return false;
    }
  }

  /** Stores the item's personal content once; returns its hash (what the 'received' event records). */
  async putContent(ref: string, content: PersonalContent, retainUntil: string): Promise<string> {
    const normalised = JSON.parse(JSON.stringify(content)) as PersonalContent;
    const hash = contentHash(normalised);
    await this.putOnce({ ...itemKey(ref, 'content'), itemRef: ref, council: this.council, content: normalised, contentHash: hash, retainUntil });
    return hash;
  }

  async getContent(ref: string): Promise<ContentRecord | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: itemKey(ref, 'content'), ConsistentRead: true }));
    const item = out.Item;
    if (!item) return undefined;
    return {
      ref,
      ...(item.content ? { content: item.content as PersonalContent } : {}),
      contentHash: String(item.contentHash),
      retainUntil: String(item.retainUntil),
      ...(item.erased ? { erased: item.erased as { at: string; reason: string } } : {}),
    };
  }

  /**
   * Erases an item's personal data: appends 'personal-data-erased' (with the
   * erased content's hash, so the chain still proves what was held), then
   * replaces the content with a tombstone and drops the sender hash from the
   * summary (which then says when and why). Safe to repeat after a crash.
   * `reason` and `details` go into the chain, which can never be erased: they
   * must not contain personal data (e.g. "SAR-2026-003").
   */
  async erasePersonalData(
    ref: string,
    reason: string,
    at: string = new Date(this.clock()).toISOString(),
    details: Record<string, unknown> = {},
  ): Promise<PendingEvent> {
    const summary = await this.getSummary(ref);
    const content = await this.getContent(ref);
    if (!summary || !content) throw new Error(`no audit record for ${ref}`);
    const shortReason = reason.slice(0, 200);
    const event = await this.append({
      ref,
      itemId: summary.itemId,
      type: 'personal-data-erased',
      at,
      data: { ...details, reason: shortReason, contentHash: content.contentHash },
      eventKey: `${ref}:personal-data-erased`,
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: itemKey(ref, 'content'),
        UpdateExpression: 'REMOVE content SET erased = if_not_exists(erased, :e)',
        ExpressionAttributeValues: { ':e': { at: event.at, reason: shortReason } },
      }),
    );
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: itemKey(ref, 'summary'),
        UpdateExpression: 'SET senderHash = :x, erased = if_not_exists(erased, :e)',
        ExpressionAttributeValues: { ':x': ERASED_SENDER, ':e': { at: event.at, reason: shortReason } },
      }),
    );
    return event;
  }

  /**
   * Summaries matching the filter, paging lazily. Uses the most selective
   * index: the reference, else sender / consent / classification / channel
   * (receivedAt range on the index, other filters applied on read), else
   * byDay, one Europe/London day at a time, else a scan of summaries.
   */
  async *listSummaries(filter: SummaryFilter = {}): AsyncGenerator<AuditSummary> {
    if (filter.ref) {
      const one = await this.getSummary(filter.ref);
      if (one && matches(one, filter)) yield one;
      return;
    }
    const range = receivedRange(filter);
    const indexed = (
      [
        ['bySender', 'senderHash', filter.senderHash],
        ['byConsent', 'consentStatus', filter.consentStatus],
        ['byClassification', 'classification', filter.classification],
        ['byChannel', 'channel', filter.channel],
      ] as const
    ).find(([, , value]) => value !== undefined);
    if (indexed) {
      const [index, attribute, value] = indexed;
      yield* this.queryIndex(index, attribute, value!, range, filter);
      return;
    }
    if (filter.from) {
      const last = filter.to ? dayOf(filter.to) : londonDay(new Date(this.clock()).toISOString());
      for (let day = dayOf(filter.from); day <= last; day = nextDay(day)) {
        yield* this.queryIndex('byDay', 'day', day, range, filter);
      }
      return;
    }
    const items = allItems((start) =>
      this.client.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'sk = :s',
          ExpressionAttributeValues: { ':s': AUDIT_SORT.summary },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for await (const item of items) {
      const summary = toSummary(item);
      if (matches(summary, filter)) yield summary;
    }
  }

  /** Every Europe/London day that has at least one summary, ascending (reads keys and days only). */
  async summaryDays(): Promise<string[]> {
    const days = new Set<string>();
    const items = allItems((start) =>
      this.client.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'sk = :s',
          ProjectionExpression: '#d',
          ExpressionAttributeNames: { '#d': 'day' },
          ExpressionAttributeValues: { ':s': AUDIT_SORT.summary },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for await (const item of items) if (typeof item.day === 'string') days.add(item.day);
    return [...days].sort();
  }

  private async *queryIndex(
    index: string,
    attribute: string,
    value: string,
    range: { lo: string; hi: string },
    filter: SummaryFilter,
  ): AsyncGenerator<AuditSummary> {
    const items = allItems((start) =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index,
          KeyConditionExpression: '#a = :v AND receivedAt BETWEEN :lo AND :hi',
          ExpressionAttributeNames: { '#a': attribute },
          ExpressionAttributeValues: { ':v': value, ':lo': range.lo, ':hi': range.hi },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for await (const item of items) {
      const summary = toSummary(item);
      if (matches(summary, filter)) yield summary;
    }
  }

  private async putOnce(item: Record<string, unknown>): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** sha256 hex of the canonical JSON of an item's personal content. */
export function contentHash(content: PersonalContent): string {
  return sha256Hex(canonicalJson(content));
}

/** The index by record type (partition key `sk`): all summaries, all content records, all event records. */
export const RECORD_TYPE_INDEX = 'byRecordType';

/** Event records still waiting for the appender (it notes the seq when it links them). */
const PENDING_FILTER = 'attribute_not_exists(seq)';

/** DynamoDB's answer for an index the table does not have, or one it is still building (backfilling). */
function isIndexUnavailable(error: unknown): boolean {
  const e = error as { name?: string; message?: string } | undefined;
  return e?.name === 'ValidationException' && /specified index|backfilling/i.test(e.message ?? '');
}

/** `work` for every input, at most `concurrency` at once; results in input order. */
async function inBatches<T, R>(inputs: readonly T[], concurrency: number, work: (input: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      results[i] = await work(inputs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  return results;
}

function itemRecord(item: Record<string, unknown>): ItemRecord {
  if (item.sk === AUDIT_SORT.summary) return { summary: toSummary(item) };
  if (item.sk === AUDIT_SORT.content) return { content: contentSeen(item) };
  return { pending: toPending(item) };
}

function contentSeen(item: Record<string, unknown>): ContentSeen {
  const content = item.content as PersonalContent | undefined;
  return {
    ref: String(item.itemRef ?? String(item.pk).slice(AUDIT_PREFIX.item.length)),
    ...(typeof item.council === 'string' ? { council: item.council } : {}),
    ...(content ? { actualHash: contentHash(content), ...(content.senderHash ? { senderHash: content.senderHash } : {}) } : {}),
  };
}

/**
 * Checks events in the order given against the chain rules: seq runs 1, 2, 3…
 * with no gap, each prevHash is the previous event's hash (64 zeros for the
 * first), and each hash matches its fields. Names the first seq that breaks.
 */
export function verifyChain(events: Iterable<AuditEvent>, council?: string): ChainCheck {
  let walker: ChainWalker | undefined;
  for (const event of events) {
    walker ??= new ChainWalker(council ?? event.council);
    walker.push(event);
    if (walker.findings.length > 0) break;
  }
  return walker ? chainCheck(walker, []) : { ok: true, count: 0, headHash: GENESIS_HASH };
}

function chainCheck(walker: ChainWalker, more: readonly Finding[]): ChainCheck {
  const first = walker.findings[0] ?? more[0];
  if (!first) return { ok: true, count: walker.count, headHash: walker.headHash };
  return { ok: false, brokenAt: first.seq ?? walker.count + 1, problem: first.problem };
}

function isDateOnly(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value);
}
function dayOf(value: string): string {
  return isDateOnly(value) ? value : londonDay(value);
}
function nextDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
function previousDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Sort-key range on receivedAt (UTC ISO). A date-only bound is a London day,
 * which can start an hour before midnight UTC, so the index range is widened
 * by a day and `matches` applies the exact day test.
 */
function receivedRange(filter: SummaryFilter): { lo: string; hi: string } {
  const lo = !filter.from ? '0000' : isDateOnly(filter.from) ? previousDay(filter.from) : new Date(filter.from).toISOString();
  const hi = !filter.to ? '9999' : isDateOnly(filter.to) ? `${nextDay(filter.to)}\uffff` : new Date(filter.to).toISOString();
  return { lo, hi };
}

function matches(summary: AuditSummary, filter: SummaryFilter): boolean {
  if (filter.channel && summary.channel !== filter.channel) return false;
  if (filter.classification && summary.classification !== filter.classification) return false;
  if (filter.consentStatus && summary.consentStatus !== filter.consentStatus) return false;
  if (filter.senderHash && summary.senderHash !== filter.senderHash) return false;
  if (filter.senderHashPrefix && !summary.senderHash.startsWith(filter.senderHashPrefix)) return false;
  if (filter.from) {
    if (isDateOnly(filter.from) ? summary.day < filter.from : summary.receivedAt < new Date(filter.from).toISOString()) return false;
  }
  if (filter.to) {
    if (isDateOnly(filter.to) ? summary.day > filter.to : summary.receivedAt > new Date(filter.to).toISOString()) return false;
  }
  return true;
}

function toEvent(item: Record<string, unknown>): AuditEvent {
  return {
    council: String(item.council),
    seq: Number(item.seq),
    ref: String(item.ref),
    type: item.type as AuditEventType,
    at: String(item.at),
    itemId: String(item.itemId),
    data: (item.data ?? {}) as Record<string, unknown>,
    prevHash: String(item.prevHash),
    hash: String(item.hash),
  };
}

function toSummary(item: Record<string, unknown>): AuditSummary {
  return {
    ref: String(item.ref),
    council: String(item.council),
    itemId: String(item.itemId),
    channel: item.channel as AuditSummary['channel'],
    provider: item.provider as AuditSummary['provider'],
    classification: item.classification as Classification,
    receivedAt: String(item.receivedAt),
    day: String(item.day),
    senderHash: String(item.senderHash),
    consentStatus: item.consentStatus as ConsentStatus,
    retainUntil: String(item.retainUntil),
    ...(item.erased ? { erased: item.erased as { at: string; reason: string } } : {}),
  };
}
