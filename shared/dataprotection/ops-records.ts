import { DeleteCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keyClassOf, type KeyClass } from './key-classes.ts';
import { allItems, isConditionFailure } from '../store/client.ts';
import { OPS_PREFIX, OPS_SORT } from '../store/keys.ts';

/**
 * What the operational table (shared/store/ops-store.ts) holds about one
 * person or one of their items, found by the key classes of key-classes.ts:
 * by sender hash (minimal logs, consent, auto-reply, offences, the open
 * consent request), by reference (consent notes and reminders, thread keys,
 * the case and its reminders), by item id (classify's claim, the day's
 * themes) and by a hash of the Messenger id (the last-message time).
 *
 * The table has no index on the sender, and its TTL keeps it small, so one
 * scan answers a subject access or erasure request (a rare, deliberate act).
 * A record of no known class is counted as unclassified: the manifest says
 * so and the tests fail, so a new kind of record cannot slip past.
 */

export interface OpsRecord {
  readonly pk: string;
  readonly sk: string;
  readonly item: Record<string, unknown>;
}

/** Who the records are about: every key they can be found under. */
export interface SubjectKeys {
  readonly senderHashes: readonly string[];
  readonly refs: readonly string[];
  /** Item ids of their audited items; those of their informal logs are added from the scan. */
  readonly itemIds?: readonly string[];
  /** `LASTMSG#…` keys of the identities given (shared/answers/plan.ts lastMessageKey). */
  readonly lastMessageKeys?: readonly string[];
}

export interface SubjectOpsRecords {
  /** Their records, by key-class id (key-classes.ts). */
  readonly byClass: ReadonlyMap<string, readonly OpsRecord[]>;
  /** Item ids of their informal logs (for the raw mail of informal email). */
  readonly informalItemIds: readonly string[];
  /** Live records of no known class (anyone's): count per key prefix up to the first '#'. */
  readonly unclassified: ReadonlyMap<string, number>;
}

export interface OpsTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch milliseconds, to treat expired (not yet deleted) items as absent. */
  readonly clock?: () => number;
}

export function recordsOf(found: SubjectOpsRecords | undefined, ...classIds: string[]): OpsRecord[] {
  return classIds.flatMap((id) => [...(found?.byClass.get(id) ?? [])]);
}

export async function findOpsRecords(ops: OpsTable, subject: SubjectKeys): Promise<SubjectOpsRecords> {
  const now = Math.floor((ops.clock ?? Date.now)() / 1000);
  const live: [OpsRecord, KeyClass | undefined][] = [];
  for await (const item of allItems((start) => ops.client.send(new ScanCommand({ TableName: ops.tableName, ExclusiveStartKey: start })))) {
    if (typeof item.expiresAt === 'number' && item.expiresAt < now) continue;
    const record: OpsRecord = { pk: String(item.pk), sk: String(item.sk), item };
    live.push([record, keyClassOf('ops', record.pk, record.sk)]);
  }

  const hashes = new Set(subject.senderHashes);
  // Their informal items are known only from their minimal logs: those first.
  const informalItemIds = live.filter(([r, c]) => c?.id === 'minimal-log' && hashes.has(String(r.item.senderHash))).map(([r]) => String(r.item.itemId));
  const s: Subject = {
    hashes,
    refs: new Set(subject.refs),
    itemIds: new Set([...(subject.itemIds ?? []), ...informalItemIds]),
    lastMessageKeys: new Set(subject.lastMessageKeys ?? []),
  };
  const byClass = new Map<string, OpsRecord[]>();
  const unclassified = new Map<string, number>();
  for (const [record, keyClass] of live) {
    if (!keyClass) {
      const prefix = record.pk.split('#')[0]!;
      unclassified.set(prefix, (unclassified.get(prefix) ?? 0) + 1);
    } else if (MATCHERS[keyClass.id]?.(record, s)) {
      byClass.set(keyClass.id, [...(byClass.get(keyClass.id) ?? []), record]);
    }
  }
  return { byClass, informalItemIds, unclassified };
}

interface Subject {
  readonly hashes: ReadonlySet<string>;
  readonly refs: ReadonlySet<string>;
  readonly itemIds: ReadonlySet<string>;
  readonly lastMessageKeys: ReadonlySet<string>;
}

const afterHash = (pk: string) => pk.slice(pk.indexOf('#') + 1);
const recordValue = (r: OpsRecord) => (r.item.value ?? {}) as Record<string, unknown>;
const bySenderKey = (r: OpsRecord, s: Subject) => s.hashes.has(afterHash(r.pk));
const byRefKey = (r: OpsRecord, s: Subject) => s.refs.has(afterHash(r.pk));
const byValueRef = (r: OpsRecord, s: Subject) => s.refs.has(String(recordValue(r).ref));
const byDueKey = (r: OpsRecord, s: Subject) => s.refs.has(String(r.item.key));

/** How a subject's records of each class are recognised (classes with no entry are about no one in particular). */
const MATCHERS: Record<string, (r: OpsRecord, s: Subject) => boolean> = {
  'minimal-log': (r, s) => s.hashes.has(String(r.item.senderHash)),
  'consent-per-matter': bySenderKey,
  'consent-ledger': bySenderKey,
  'consent-open': bySenderKey,
  'auto-reply': bySenderKey,
  offences: bySenderKey,
  'consent-note': byValueRef,
  'consent-matters': byRefKey,
  'consent-answer': byRefKey,
  'due-consent-reminder': byDueKey,
  'due-consent-expiry': byDueKey,
  'due-case-reminder': (r, s) => s.refs.has(String((r.item.data as { ref?: unknown } | undefined)?.ref)),
  thread: byValueRef,
  case: byRefKey,
  sent: byValueRef,
  'moderation-link': byValueRef,
  'item-claim': (r, s) => s.itemIds.has(afterHash(r.pk)),
  'last-message': (r, s) => s.lastMessageKeys.has(r.pk),
  theme: (r, s) => [...((r.item.itemIds as Set<string> | undefined) ?? [])].some((id) => s.itemIds.has(id)),
};

/** Classes with a matcher: what the scan can find for a person (the key-class test checks every personal class has one). */
export const MATCHED_CLASSES: readonly string[] = Object.keys(MATCHERS);

export async function deleteOpsRecords(ops: OpsTable, records: readonly OpsRecord[]): Promise<void> {
  for (const { pk, sk } of records) {
    await ops.client.send(new DeleteCommand({ TableName: ops.tableName, Key: { pk, sk } }));
  }
}

/**
 * A day's theme loses the erased items' ids, and its example when it came from
 * one of them or when its author was not recorded (themes written before
 * `exampleItemId`): a scrubbed example may still name someone. The count stays.
 */
export async function scrubTheme(ops: OpsTable, theme: OpsRecord, itemIds: ReadonlySet<string>): Promise<void> {
  const ids = [...((theme.item.itemIds as Set<string> | undefined) ?? [])].filter((id) => itemIds.has(id));
  const exampleBy = theme.item.exampleItemId;
  const dropExample = typeof theme.item.example === 'string' && (typeof exampleBy !== 'string' || itemIds.has(exampleBy));
  if (ids.length === 0 && !dropExample) return;
  await ops.client
    .send(
      new UpdateCommand({
        TableName: ops.tableName,
        Key: { pk: theme.pk, sk: theme.sk },
        UpdateExpression: [ids.length ? 'DELETE itemIds :ids' : '', dropExample ? 'REMOVE example, exampleItemId' : ''].filter(Boolean).join(' '),
        ConditionExpression: 'attribute_exists(pk)',
        ...(ids.length ? { ExpressionAttributeValues: { ':ids': new Set(ids) } } : {}),
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/**
 * Classify's claim on an item keeps the whole decision (whose reasons may
 * quote the resident) for 30 days, so that a redelivery is recognised. On
 * erasure it is replaced by a bare "done" claim: a redelivery is still
 * recognised and nothing of the decision's wording is left.
 */
export async function scrubItemClaim(ops: OpsTable, itemId: string, ref: string, classification: string): Promise<void> {
  const now = Math.floor((ops.clock ?? Date.now)() / 1000);
  await ops.client
    .send(
      new PutCommand({
        TableName: ops.tableName,
        Item: {
          pk: `${OPS_PREFIX.item}${itemId}`,
          sk: OPS_SORT.value,
          value: { state: 'done', ref, decision: { classification } },
          expiresAt: now + 30 * 86_400,
        },
        ConditionExpression: 'attribute_exists(pk) AND expiresAt >= :now',
        ExpressionAttributeValues: { ':now': now },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/**
 * An erased item's case keeps its status and clock (the clerk's list and the
 * statutory deadlines stay true) but loses the resident's reply target, and
 * is marked so no answer can be sent to them again.
 */
export async function scrubCase(ops: OpsTable, ref: string): Promise<void> {
  await ops.client
    .send(
      new UpdateCommand({
        TableName: ops.tableName,
        Key: { pk: `${OPS_PREFIX.case}${ref}`, sk: OPS_SORT.value },
        UpdateExpression: 'REMOVE #v.#t SET #v.#b = :erased',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#v': 'value', '#t': 'target', '#b': 'answerBlock' },
        ExpressionAttributeValues: { ':erased': 'personal-data-erased' },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}
