import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CaseType } from '../cases/clock.ts';
import type { Channel } from '../model/index.ts';
import type { ReplyTarget } from '../pipeline/compose.ts';
import { allItems, isConditionFailure } from './client.ts';
import { OPS_INDEX, OPS_PREFIX, OPS_SORT } from './keys.ts';

/**
 * Cases, in the operational table: one record per item routed to the clerk
 * (`CASE#<ref>`), listed by received time on the byDue index (`duePk = CASES`).
 * A case holds what answering needs (the resident's reply target: personal
 * data, so the record expires with the item's retention date) and the case
 * state. Every change of state is also an audit event; this record is the
 * current view, written with an optimistic version check so two answers at
 * once cannot undo each other.
 */

export type CaseStatus = 'open' | 'awaiting-clarification' | 'answered' | 'closed' | 'not-tracked';

export interface CaseClock {
  /** London date the clock runs from (receipt, or for FOI the clarification). */
  readonly receivedOn: string;
  readonly dueOn: string;
  readonly rule: string;
  readonly clause: string;
  readonly extended: boolean;
  /** SAR: calendar days paused awaiting clarification. */
  readonly pausedDays: number;
  /** Set while waiting for the resident's clarification. */
  readonly pausedSince?: string;
}

export interface CaseRecord {
  readonly ref: string;
  readonly itemId: string;
  readonly council: string;
  readonly channel: Channel;
  readonly receivedAt: string;
  readonly target?: ReplyTarget;
  readonly hold?: string;
  /** Why the hub must not send an answer at all (e.g. `unauthenticated-sender`: the address may not be theirs). */
  readonly answerBlock?: string;
  /** A follow-up in the thread of this earlier case (not tracked as a case of its own). */
  readonly threadOf?: string;
  /** Formal items are tracked cases; items routed only because they were held are not. */
  readonly status: CaseStatus;
  readonly type?: CaseType;
  /** How the type was set: a detection rule id, or `clerk` for a command. */
  readonly typeSource?: string;
  readonly clock?: CaseClock;
  readonly answeredAt?: string;
  readonly closedAt?: string;
  readonly answers: number;
  /** Item ids of the clerk replies already applied (latest 50): a redelivered reply changes nothing. */
  readonly appliedReplies?: readonly string[];
  readonly retainUntil: string;
  readonly version: number;
}

const SK = OPS_SORT.value;

export class CaseStore {
  private readonly options: { readonly client: DynamoDBDocumentClient; readonly tableName: string };

  constructor(options: { readonly client: DynamoDBDocumentClient; readonly tableName: string }) {
    this.options = options;
  }

  /** Creates the case once; a repeat (redelivery) keeps the first. */
  async create(record: Omit<CaseRecord, 'version'>): Promise<void> {
    try {
      await this.options.client.send(
        new PutCommand({ TableName: this.options.tableName, Item: this.item({ ...record, version: 1 }), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async get(ref: string): Promise<CaseRecord | undefined> {
    const out = await this.options.client.send(
      new GetCommand({ TableName: this.options.tableName, Key: { pk: `${OPS_PREFIX.case}${ref}`, sk: SK }, ConsistentRead: true }),
    );
    return out.Item ? (out.Item.value as CaseRecord) : undefined;
  }

  /** Applies `change` to the current record, retrying when someone else changed it first. Returns the new record. */
  async update(ref: string, change: (current: CaseRecord) => CaseRecord): Promise<CaseRecord> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.get(ref);
      if (!current) throw new Error(`no case ${ref}`);
      const next = { ...change(current), version: current.version + 1 };
      try {
        await this.options.client.send(
          new PutCommand({
            TableName: this.options.tableName,
            Item: this.item(next),
            ConditionExpression: '#v.version = :old',
            ExpressionAttributeNames: { '#v': 'value' },
            ExpressionAttributeValues: { ':old': current.version },
          }),
        );
        return next;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`case ${ref}: too many concurrent changes`);
  }

  /** Cases received in [from, to] (ISO instants; default all), oldest first. */
  async *list(range: { from?: string; to?: string } = {}): AsyncGenerator<CaseRecord> {
    const listed = allItems((start) =>
      this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: 'byDue',
          KeyConditionExpression: 'duePk = :k AND dueAt BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':k': OPS_INDEX.cases, ':lo': range.from ?? '0000', ':hi': range.to ?? '9999' },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for await (const item of listed) {
      // The index is eventually consistent; read the record itself for its current state.
      const record = await this.get(String(item.pk).slice(OPS_PREFIX.case.length));
      if (record) yield record;
    }
  }

  private item(record: CaseRecord): Record<string, unknown> {
    return {
      pk: `${OPS_PREFIX.case}${record.ref}`,
      sk: SK,
      value: JSON.parse(JSON.stringify(record)),
      duePk: OPS_INDEX.cases,
      dueAt: record.receivedAt,
      // Personal data (the reply target) goes with the item's retention date.
      expiresAt: Math.floor(new Date(`${record.retainUntil}T00:00:00Z`).getTime() / 1000),
    };
  }
}
