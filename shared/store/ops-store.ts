import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Channel, Classification } from '../model/index.ts';
import { allItems, isConditionFailure } from './client.ts';
import { type DueKind, OPS_PREFIX, OPS_SORT, type ValueKey } from './keys.ts';

/** Item ids a day's theme record keeps (OpsStore.recordTheme). */
export const THEME_ITEM_IDS = 50;

/**
 * The operational table: short-lived state with a TTL (`expiresAt`, epoch
 * seconds). DynamoDB deletes expired items some time after expiry and dynalite
 * never does, so every read here treats an expired item as absent.
 */

export interface OpsStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Wall clock for TTL checks (tests). */
  readonly clock?: () => number;
}

/** Minimal log of an informal or ignored item: no text, no address, only why. */
export interface MinimalLogEntry {
  readonly itemId: string;
  readonly channel: Channel;
  readonly classification: Classification;
  readonly receivedAt: string;
  readonly senderHash: string;
  /** Rule id and clause of each reason. */
  readonly reasons: readonly { readonly rule: string; readonly clause: string }[];
  /** Action types taken (e.g. `auto-reply`, `none`). */
  readonly actions: readonly string[];
  readonly policyVersion: string;
  /** Informal items: the topic, for the clerk's digest (stilton.txt §5). */
  readonly topic?: string;
  /** From the policy's retention for informal/ignored items. */
  readonly retainDays: number;
}

export interface DueEntry<T extends object = Record<string, unknown>> {
  readonly kind: string;
  readonly key: string;
  readonly dueAt: string;
  readonly data: T;
}

export type ConsentLedgerChange = 'opt-in' | 'opt-out' | 'profile-update' | 'address-change' | 'cleaned' | 'campaign' | 'help';

export interface ConsentLedgerState {
  readonly lastChange: ConsentLedgerChange;
  readonly at: string;
  /** True after opt-out or cleaned, until the next opt-in. */
  readonly optedOut: boolean;
}

const VALUE_SK = OPS_SORT.value;

export class OpsStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly clock: () => number;

  constructor(options: OpsStoreOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.clock = options.clock ?? Date.now;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  /**
   * Creates `key` unless a live (unexpired) item holds it. When claimed is
   * false, `existing` is the holder's value: callers store progress in it.
   */
  async claim<T extends object = Record<string, unknown>>(
    key: ValueKey<T>,
    options: { ttlSeconds: number; value?: T },
  ): Promise<{ claimed: boolean; existing?: T }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: key, sk: VALUE_SK, value: options.value ?? {}, expiresAt: this.nowSeconds() + options.ttlSeconds },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': this.nowSeconds() },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(key);
      return existing ? { claimed: false, existing } : this.claim(key, options);
    }
  }

  async get<T extends object = Record<string, unknown>>(key: ValueKey<T>): Promise<T | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: key, sk: VALUE_SK }, ConsistentRead: true }));
    const item = out.Item;
    if (!item || this.expired(item)) return undefined;
    // The value is what a writer through the same key stored.
    return (item.value ?? {}) as T;
  }

  async put<T extends object>(key: ValueKey<T>, value: T, options: { ttlSeconds?: number } = {}): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: key, sk: VALUE_SK, value: clean(value), ...(options.ttlSeconds ? { expiresAt: this.nowSeconds() + options.ttlSeconds } : {}) },
      }),
    );
  }

  /** Replaces the value only while `value[field]` still equals `equals` (and the item is live). Returns whether it did. */
  async putIf<T extends object>(
    key: ValueKey<T>,
    value: T,
    condition: { field: keyof T & string; equals: unknown },
    options: { ttlSeconds?: number } = {},
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: key, sk: VALUE_SK, value: clean(value), ...(options.ttlSeconds ? { expiresAt: this.nowSeconds() + options.ttlSeconds } : {}) },
          ConditionExpression: '#v.#f = :eq AND (attribute_not_exists(expiresAt) OR expiresAt >= :now)',
          ExpressionAttributeNames: { '#v': 'value', '#f': condition.field },
          ExpressionAttributeValues: { ':eq': condition.equals, ':now': this.nowSeconds() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: key, sk: VALUE_SK } }));
  }

  /** Next human reference for the prefix and year, atomically: `STL-2026-000042`. Never reused. */
  async allocateReference(prefix: string, year: number): Promise<string> {
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `${OPS_PREFIX.referenceCounter}${prefix}#${year}`, sk: VALUE_SK },
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const n = Number(out.Attributes?.n);
    return `${prefix}-${year}-${String(n).padStart(6, '0')}`;
  }

  /** When this sender was last sent an auto-reply (within the live window), and for which item. */
  async lastAutoReply(senderHash: string): Promise<{ at: string; itemId: string } | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { pk: `${OPS_PREFIX.autoReply}${senderHash}`, sk: VALUE_SK }, ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item || this.expired(item)) return undefined;
    return { at: String(item.at), itemId: String(item.itemId) };
  }

  /**
   * Records an auto-reply to this sender unless another item already got one
   * within `windowDays` before `at`. Returns false when the window is taken
   * (by a different item): the caller must not send. Repeating for the same
   * item returns true, so a redelivery still sends its one reply.
   */
  async recordAutoReply(senderHash: string, at: string, windowDays: number, itemId: string): Promise<boolean> {
    const windowStart = new Date(new Date(at).getTime() - windowDays * 86_400_000).toISOString();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `${OPS_PREFIX.autoReply}${senderHash}`,
            sk: VALUE_SK,
            at,
            itemId,
            expiresAt: Math.floor(new Date(at).getTime() / 1000) + Math.ceil(windowDays * 86_400),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR itemId = :item OR #at <= :windowStart OR expiresAt < :now',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':item': itemId, ':windowStart': windowStart, ':now': this.nowSeconds() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Records the data-consent status of one matter (reference) for a sender. */
  async setConsent(senderHash: string, ref: string, status: string, at: string): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: { pk: `${OPS_PREFIX.consent}${senderHash}`, sk: `${OPS_SORT.ref}${ref}`, ref, status, at } }),
    );
  }

  /** The data-consent status recorded for one matter (reference) of a sender. */
  async consentStatus(senderHash: string, ref: string): Promise<string | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { pk: `${OPS_PREFIX.consent}${senderHash}`, sk: `${OPS_SORT.ref}${ref}` }, ConsistentRead: true }),
    );
    return typeof out.Item?.status === 'string' ? out.Item.status : undefined;
  }

  /** Adds one to the counter at `key` unless it has reached `limit`; returns whether it did. Keys are per period (a day), so it never resets. */
  async incrementBelow(key: string, limit: number, ttlSeconds: number): Promise<boolean> {
    const now = this.nowSeconds();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: key, sk: VALUE_SK },
          UpdateExpression: 'SET n = if_not_exists(n, :zero) + :one, expiresAt = if_not_exists(expiresAt, :exp)',
          ConditionExpression: 'attribute_not_exists(n) OR n < :limit',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':limit': limit, ':exp': now + ttlSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Adds `member` to the string set at `key` (idempotent). */
  async addMember(key: string, member: string, ttlSeconds: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: key, sk: VALUE_SK },
        UpdateExpression: 'ADD members :m SET expiresAt = :exp',
        ExpressionAttributeValues: { ':m': new Set([member]), ':exp': this.nowSeconds() + ttlSeconds },
      }),
    );
  }

  /** The members of the string set at `key`, sorted; empty when absent or expired. */
  async members(key: string): Promise<string[]> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: key, sk: VALUE_SK }, ConsistentRead: true }));
    if (!out.Item || this.expired(out.Item)) return [];
    return [...((out.Item.members as Set<string> | undefined) ?? [])].sort();
  }

  /** Latest consent-ledger fact (Mailchimp audience event, SMS STOP/START) for a sender. */
  async recordConsentLedger(senderHash: string, change: ConsentLedgerChange, at: string, itemId: string): Promise<void> {
    const current = await this.consentLedger(senderHash);
    const optedOut = change === 'opt-out' || change === 'cleaned' ? true : change === 'opt-in' ? false : (current?.optedOut ?? false);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `${OPS_PREFIX.consent}${senderHash}`, sk: OPS_SORT.ledger, lastChange: change, at, optedOut, itemId },
          // Out-of-order deliveries must not undo a newer fact.
          ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async consentLedger(senderHash: string): Promise<ConsentLedgerState | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { pk: `${OPS_PREFIX.consent}${senderHash}`, sk: OPS_SORT.ledger }, ConsistentRead: true }),
    );
    const item = out.Item;
    return item ? { lastChange: item.lastChange as ConsentLedgerChange, at: String(item.at), optedOut: Boolean(item.optedOut) } : undefined;
  }

  /** Remembers thread keys (email Message-IDs, Messenger mids) of an audited item. */
  async rememberThread(keys: readonly string[], ref: string, ttlSeconds: number): Promise<void> {
    for (const key of new Set(keys.filter(Boolean))) {
      await this.put(`${OPS_PREFIX.thread}${key}`, { ref }, { ttlSeconds });
    }
  }

  /** The reference of the first known thread key, if any. */
  async findThread(keys: readonly string[]): Promise<string | undefined> {
    for (const key of new Set(keys.filter(Boolean))) {
      const hit = await this.get(`${OPS_PREFIX.thread}${key}`);
      if (typeof hit?.ref === 'string') return hit.ref;
    }
    return undefined;
  }

  /** Minimal log of an informal or ignored item, listed per Europe/London day, with a TTL. */
  async logMinimal(entry: MinimalLogEntry, day: string): Promise<void> {
    const { retainDays, ...rest } = entry;
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `${OPS_PREFIX.log}${day}`,
          sk: `${entry.receivedAt}#${entry.itemId}`,
          ...clean(rest),
          expiresAt: Math.floor(new Date(entry.receivedAt).getTime() / 1000) + retainDays * 86_400,
        },
      }),
    );
  }

  async listMinimalLogs(day: string): Promise<Omit<MinimalLogEntry, 'retainDays'>[]> {
    const entries: Omit<MinimalLogEntry, 'retainDays'>[] = [];
    const items = allItems((start) =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `${OPS_PREFIX.log}${day}` },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for await (const item of items) {
      if (this.expired(item)) continue;
      const { pk: _pk, sk: _sk, expiresAt: _e, ...entry } = item;
      entries.push(entry as Omit<MinimalLogEntry, 'retainDays'>);
    }
    return entries;
  }

  /**
   * Counts an informal item under its topic for the day, keeping only the
   * first short example (contact details already removed): one example per
   * topic per day, not a copy of every message. Expires with informal retention.
   */
  /**
   * Counts an informal item under the day's topic. The record keeps the first
   * THEME_ITEM_IDS item ids (to tell a redelivery from a new item, and for
   * erasure) and counts the rest without their ids: it is rewritten on every
   * item, so an unbounded set made each write dearer through the day and a
   * busy topic could pass DynamoDB's 400 KB item limit, failing classify.
   */
  async recordTheme(day: string, topic: string, itemId: string, example: string, retainDays: number): Promise<void> {
    const key = { pk: `${OPS_PREFIX.theme}${day}`, sk: topic };
    const expiresAt = Math.floor(new Date(`${day}T00:00:00Z`).getTime() / 1000) + retainDays * 86_400;
    const update = (expression: string, condition: string, values: Record<string, unknown>) =>
      this.client.send(
        new UpdateCommand({ TableName: this.table, Key: key, UpdateExpression: expression, ConditionExpression: condition, ExpressionAttributeValues: values }),
      );
    try {
      await update(
        // Which item the example came from, so erasing that person's data removes it (shared/dataprotection/ops-records.ts).
        'ADD n :one, itemIds :item SET example = if_not_exists(example, :e), exampleItemId = if_not_exists(exampleItemId, :id), expiresAt = if_not_exists(expiresAt, :x)',
        // A redelivered item is not counted twice.
        'attribute_not_exists(itemIds) OR (NOT contains(itemIds, :id) AND size(itemIds) < :cap)',
        { ':one': 1, ':item': new Set([itemId]), ':id': itemId, ':e': example, ':x': expiresAt, ':cap': THEME_ITEM_IDS },
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // A redelivery (its id is kept), or the set is full: count it, keep nothing of it.
      await update('ADD n :one', 'NOT contains(itemIds, :id)', { ':one': 1, ':id': itemId }).catch((again: unknown) => {
        if (!isConditionFailure(again)) throw again;
      });
    }
  }

  async listThemes(day: string): Promise<{ topic: string; count: number; example?: string }[]> {
    const out = await this.client.send(
      new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${OPS_PREFIX.theme}${day}` } }),
    );
    return (out.Items ?? [])
      .filter((i) => !this.expired(i))
      .map((i) => ({ topic: String(i.sk), count: Number(i.n ?? 0), ...(typeof i.example === 'string' ? { example: i.example } : {}) }));
  }

  /** Registers (or moves) a due entry on the byDue index, e.g. kind `consent-reminder`, key = the reference. */
  async putDue<T extends object>(kind: DueKind<T>, dueAt: string, key: string, data: T): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `${OPS_PREFIX.due}${kind}#${key}`, sk: VALUE_SK, duePk: `${OPS_PREFIX.due}${kind}`, dueAt, kind, key, data: clean(data) },
      }),
    );
  }

  /** Due entries of a kind with dueAt <= until, oldest first (eventually consistent: the index lags writes slightly). */
  async queryDue<T extends object = Record<string, unknown>>(kind: DueKind<T>, until: string, limit = 100): Promise<DueEntry<T>[]> {
    const entries: DueEntry<T>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byDue',
          KeyConditionExpression: 'duePk = :k AND dueAt <= :until',
          ExpressionAttributeValues: { ':k': `${OPS_PREFIX.due}${kind}`, ':until': until },
          Limit: limit - entries.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        entries.push({ kind, key: String(item.key), dueAt: String(item.dueAt), data: (item.data ?? {}) as T });
      }
      start = out.LastEvaluatedKey;
    } while (start && entries.length < limit);
    return entries;
  }

  /** Removes a due entry once handled (or cancels it, e.g. the reminder after consent is granted). */
  async deleteDue(kind: string, key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: `${OPS_PREFIX.due}${kind}#${key}`, sk: VALUE_SK } }));
  }

  private expired(item: Record<string, unknown>): boolean {
    return typeof item.expiresAt === 'number' && item.expiresAt < this.nowSeconds();
  }
}

function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
