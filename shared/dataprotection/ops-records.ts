import { DeleteCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * What the operational table (shared/store/ops-store.ts) holds about one
 * person or one item, found by its key layout:
 *
 * - `LOG#<day>` / `<receivedAt>#<itemId>`: minimal log of an informal or ignored item (sender hash, rules, actions);
 * - `CONSENT#<senderHash>` / `REF#<ref>`: consent status per matter; `/ LEDGER`: opt-in/opt-out facts;
 * - `AUTOREPLY#<senderHash>`: when they were last sent an automatic reply;
 * - `DUE#<kind>#<ref>`: scheduled consent reminders and expiries, holding the reply address;
 * - `THREAD#<message id>`: the reference a reply thread belongs to;
 * - `ITEM#<itemId>`: classify's claim, holding the whole decision for 30 days;
 * - `CASE#<ref>`: the clerk's case for a formal item (status, statutory clock, the resident's reply target).
 *
 * The table has no index on the sender, and its TTL keeps it small, so one
 * scan answers a subject access or erasure request (a rare, deliberate act).
 */

export interface OpsRecord {
  readonly pk: string;
  readonly sk: string;
  readonly item: Record<string, unknown>;
}

export interface SubjectOpsRecords {
  readonly minimalLogs: OpsRecord[];
  readonly consentPerMatter: OpsRecord[];
  readonly consentLedger: OpsRecord[];
  readonly autoReply: OpsRecord[];
  /** Consent reminders/expiries and thread keys of the given references. */
  readonly byReference: OpsRecord[];
  /** Cases (shared/store/case-store.ts) of the given references. */
  readonly cases: OpsRecord[];
}

export interface OpsTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch milliseconds, to treat expired (not yet deleted) items as absent. */
  readonly clock?: () => number;
}

export async function findOpsRecords(ops: OpsTable, senderHashes: readonly string[], refs: readonly string[]): Promise<SubjectOpsRecords> {
  const hashes = new Set(senderHashes);
  const refSet = new Set(refs);
  const now = Math.floor((ops.clock ?? Date.now)() / 1000);
  const found: SubjectOpsRecords = { minimalLogs: [], consentPerMatter: [], consentLedger: [], autoReply: [], byReference: [], cases: [] };
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ops.client.send(new ScanCommand({ TableName: ops.tableName, ExclusiveStartKey: start }));
    for (const item of out.Items ?? []) {
      if (typeof item.expiresAt === 'number' && item.expiresAt < now) continue;
      const record: OpsRecord = { pk: String(item.pk), sk: String(item.sk), item };
      const bucket = classifyRecord(record, hashes, refSet);
      if (bucket) found[bucket].push(record);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return found;
}

function classifyRecord(record: OpsRecord, hashes: Set<string>, refs: Set<string>): keyof SubjectOpsRecords | undefined {
  const { pk, sk, item } = record;
  if (pk.startsWith('LOG#')) return hashes.has(String(item.senderHash)) ? 'minimalLogs' : undefined;
  if (pk.startsWith('CONSENT#')) {
    if (!hashes.has(pk.slice('CONSENT#'.length))) return undefined;
    return sk === 'LEDGER' ? 'consentLedger' : 'consentPerMatter';
  }
  if (pk.startsWith('AUTOREPLY#')) return hashes.has(pk.slice('AUTOREPLY#'.length)) ? 'autoReply' : undefined;
  if (pk.startsWith('DUE#')) return refs.has(String(item.key)) ? 'byReference' : undefined;
  if (pk.startsWith('CASE#')) return refs.has(pk.slice('CASE#'.length)) ? 'cases' : undefined;
  if (pk.startsWith('THREAD#')) return refs.has(String((item.value as { ref?: unknown } | undefined)?.ref)) ? 'byReference' : undefined;
  return undefined;
}

export async function deleteOpsRecords(ops: OpsTable, records: readonly OpsRecord[]): Promise<void> {
  for (const { pk, sk } of records) {
    await ops.client.send(new DeleteCommand({ TableName: ops.tableName, Key: { pk, sk } }));
  }
}

/**
 * Classify's claim on an item keeps the whole decision (whose reasons may
 * quote the resident) for 30 days, so that a redelivery is recognised. On
 * erasure it is replaced by a bare "done" claim: a redelivery is still
 * recognised and nothing of the decision's wording is left.
 */
export async function scrubItemClaim(ops: OpsTable, itemId: string, ref: string, classification: string): Promise<void> {
  const now = Math.floor((ops.clock ?? Date.now)() / 1000);
  await ops.client.send(
    new PutCommand({
      TableName: ops.tableName,
      Item: { pk: `ITEM#${itemId}`, sk: 'V', value: { state: 'done', ref, decision: { classification } }, expiresAt: now + 30 * 86_400 },
      ConditionExpression: 'attribute_exists(pk) AND expiresAt >= :now',
      ExpressionAttributeValues: { ':now': now },
    }),
  ).catch((error: unknown) => {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  });
}

/**
 * An erased item's case keeps its status and clock (the clerk's list and the
 * statutory deadlines stay true) but loses the resident's reply target, and
 * is marked so no answer can be sent to them again.
 */
export async function scrubCase(ops: OpsTable, ref: string): Promise<void> {
  await ops.client.send(
    new UpdateCommand({
      TableName: ops.tableName,
      Key: { pk: `CASE#${ref}`, sk: 'V' },
      UpdateExpression: 'REMOVE #v.#t SET #v.#b = :erased',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#v': 'value', '#t': 'target', '#b': 'answerBlock' },
      ExpressionAttributeValues: { ':erased': 'personal-data-erased' },
    }),
  ).catch((error: unknown) => {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  });
}
