import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditStore } from '../store/audit-store.ts';
import { allItems, isConditionFailure } from '../store/client.ts';
import { AUDIT_PREFIX, AUDIT_SORT } from '../store/keys.ts';

/**
 * Legal holds: a matter in dispute or under an FOI request must not lose its
 * content, so a hold stops `hub erase` and the retention sweep for that
 * reference until it is removed.
 *
 * Stored in the audit table beside the chain (`HOLD#<council>` / `REF#<ref>`),
 * so auditors see them; adding and removing one is also a chain event
 * (`hold-added`, `hold-removed`) with the reason, which must therefore be a
 * case number or a short description without personal data.
 */

export interface Hold {
  readonly ref: string;
  readonly reason: string;
  readonly addedAt: string;
  readonly addedBy: string;
}

export interface HoldStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly audit: AuditStore;
}

export class HoldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HoldError';
  }
}

export const HOLD_KEY_PREFIX = AUDIT_PREFIX.hold;

export class HoldStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly audit: AuditStore;

  constructor(options: HoldStoreOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.audit = options.audit;
  }

  private get pk(): string {
    return `${HOLD_KEY_PREFIX}${this.audit.council}`;
  }

  /** Places a hold on an audited item. Returns false when one was already active (nothing changes). */
  async add(ref: string, reason: string, by: string, at: string): Promise<boolean> {
    const summary = await this.audit.getSummary(ref);
    if (!summary) throw new HoldError(`no audit record with reference ${ref}`);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: this.pk, sk: `${AUDIT_SORT.ref}${ref}`, ref, reason, addedAt: at, addedBy: by, active: true },
          ConditionExpression: 'attribute_not_exists(pk) OR active = :no',
          ExpressionAttributeValues: { ':no': false },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    await this.audit.append({ ref, itemId: summary.itemId, type: 'hold-added', at, data: { reason, by }, eventKey: `${ref}:hold-added:${at}` });
    return true;
  }

  /** Lifts an active hold. Returns false when there was none. */
  async remove(ref: string, reason: string, by: string, at: string): Promise<boolean> {
    const current = await this.get(ref);
    if (!current) return false;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: this.pk, sk: `${AUDIT_SORT.ref}${ref}` },
          UpdateExpression: 'SET active = :no, removedAt = :at, removedBy = :by, removedReason = :r',
          ConditionExpression: 'active = :yes AND addedAt = :added',
          ExpressionAttributeValues: { ':no': false, ':yes': true, ':at': at, ':by': by, ':r': reason, ':added': current.addedAt },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    const summary = await this.audit.getSummary(ref);
    await this.audit.append({
      ref,
      itemId: summary?.itemId ?? ref,
      type: 'hold-removed',
      at,
      data: { reason, by, heldSince: current.addedAt },
      eventKey: `${ref}:hold-removed:${at}`,
    });
    return true;
  }

  /** The active hold on one reference, if any. */
  async get(ref: string): Promise<Hold | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: this.pk, sk: `${AUDIT_SORT.ref}${ref}` }, ConsistentRead: true }));
    return out.Item?.active === true ? toHold(out.Item) : undefined;
  }

  /** Every active hold of the council, oldest reference first. */
  async list(): Promise<Hold[]> {
    const holds: Hold[] = [];
    const items = allItems((start) =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
          ExpressionAttributeValues: { ':pk': this.pk, ':r': AUDIT_SORT.ref },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
    for await (const item of items) if (item.active === true) holds.push(toHold(item));
    return holds;
  }
}

function toHold(item: Record<string, unknown>): Hold {
  return { ref: String(item.ref), reason: String(item.reason), addedAt: String(item.addedAt), addedBy: String(item.addedBy) };
}
