import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { processInboundItem, type ClassifyDeps } from '../../shared/pipeline/classify.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { AuditStore, RECORD_TYPE_INDEX } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import { TABLES } from '../../shared/topology.ts';
import { verifyAudit, type ItemRecord, type VerifySource } from '../../shared/store/verify-audit.ts';
import { itemBuilder } from '../support/items.ts';

/**
 * How `hub audit verify` reads (issue 11, speed): the chain as sort-key ranges
 * queried at once, the item records from the byRecordType index instead of a
 * scan of the whole table (which read every chain event and every event
 * record a second time), and a strongly consistent re-read of whatever the
 * index shows out of step with the chain before it is reported.
 */

const policy = loadPolicy('stilton');
const council = policy.council.id;
let emu: Emulators;
let client: DynamoDBDocumentClient;
let table: string;
let refs: string[] = [];
const clock = () => new Date('2026-03-10T10:30:00.000Z');

/** Every command the client sends, with its input. */
function recordCommands(target: DynamoDBDocumentClient): { name: string; input: Record<string, unknown> }[] {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  target.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ name: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}

const store = (over: Partial<ConstructorParameters<typeof AuditStore>[0]> = {}) => new AuditStore({ client, tableName: table, council, ...over });

async function chainItems() {
  const out = await client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':p': `CHAIN#${council}`, ':e': 'EVENT#' },
    }),
  );
  return out.Items ?? [];
}

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'audit-reads-' });
  client = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
  table = emu.tableNames.audit;
  const deps: ClassifyDeps = {
    audit: store(),
    ops: new OpsStore({ client, tableName: emu.tableNames.ops }),
    outbox: { publish: async () => undefined },
    policy,
    secrets: { CONSENT_SIGNING_KEY: 'reads-test-key' },
    now: clock,
    publicBaseUrl: 'https://hub.example.org',
  };
  const items = itemBuilder('reads', clock, policy);
  for (let n = 1; n <= 4; n++) refs.push((await processInboundItem(items.email(), deps)).ref!);
  refs = refs.filter(Boolean);
});
afterAll(async () => {
  client?.destroy();
  await emu?.stop();
});

describe('hub audit verify reads the chain once and the item records from the index', () => {
  it('never scans the table: chain ranges by strongly consistent Query, item records from byRecordType', async () => {
    const sent = recordCommands(client);
    const report = await verifyAudit(store({ rangeEvents: 3 }));
    expect(report.ok).toBe(true);
    expect(sent.map((c) => c.name)).not.toContain('ScanCommand');
    const queries = sent.filter((c) => c.name === 'QueryCommand').map((c) => c.input);
    const onTable = queries.filter((q) => q.IndexName === undefined);
    expect(onTable.length).toBeGreaterThan(1); // the chain in several ranges
    for (const q of onTable) expect(q).toMatchObject({ ConsistentRead: true, ExpressionAttributeValues: { ':pk': `CHAIN#${council}` } });
    const fromIndex = queries.filter((q) => q.IndexName === RECORD_TYPE_INDEX).map((q) => (q.ExpressionAttributeValues as Record<string, string>)[':sk']);
    expect(fromIndex.sort()).toEqual(['CONTENT', 'EVENTKEY', 'SUMMARY']);
    client.middlewareStack.remove('recordCommands');
  });

  it('finds the same events and the same findings whether the chain is read as one range or many, a stray key included', async () => {
    const one = await verifyAudit(store({ rangeEvents: 1_000 }));
    const many = await verifyAudit(store({ rangeEvents: 2 }));
    expect(many).toEqual(one);
    expect(one.events).toBeGreaterThanOrEqual(12);
    // An extra event stored between two seq keys, on a range boundary's far side.
    const fourth = (await chainItems())[3]!;
    const stray: Record<string, unknown> = { ...fourth, sk: `${String(fourth.sk)}x` };
    await client.send(new PutCommand({ TableName: table, Item: stray }));
    try {
      const oneStray = await verifyAudit(store({ rangeEvents: 1_000 }));
      const manyStray = await verifyAudit(store({ rangeEvents: 2 }));
      expect(oneStray.findings.map((f) => [f.code, f.seq])).toEqual([['chain-order', fourth.seq]]);
      expect(manyStray.findings).toEqual(oneStray.findings);
    } finally {
      await client.send(new DeleteCommand({ TableName: table, Key: { pk: stray.pk, sk: stray.sk } }));
    }
  });

  it('re-reads from the table what the index shows out of step, so an index lagging a write is never a finding', async () => {
    const real = store();
    const linked = (await chainItems()).find((e) => e.ref === refs[0] && e.type === 'routed')!;
    const rechecked: string[][] = [];
    // The index as it may be a moment after writes: one summary and one content record not there yet, a stale
    // consent status on another summary, and an event record the appender has just linked still shown unlinked.
    const lagging: VerifySource = {
      council,
      chainEvents: (head) => real.chainEvents(head),
      headMark: () => real.headMark(),
      async *itemRecords(): AsyncGenerator<ItemRecord> {
        for await (const record of real.itemRecords()) {
          if ('summary' in record && record.summary.ref === refs[1]) continue;
          if ('content' in record && record.content.ref === refs[2]) continue;
          if ('summary' in record && record.summary.ref === refs[3]) yield { summary: { ...record.summary, consentStatus: 'not-needed' } };
          else yield record;
        }
        yield {
          pending: {
            council,
            ref: refs[0]!,
            itemId: String(linked.itemId),
            type: 'routed',
            at: String(linked.at),
            data: {},
            eventKey: String(linked.eventKey),
            recordedAt: '2026-03-10T10:00:00.000Z',
          },
        };
      },
      async recheck(refsToRead, eventKeys) {
        rechecked.push([...refsToRead].sort(), [...eventKeys]);
        return real.recheck(refsToRead, eventKeys);
      },
    };
    const report = await verifyAudit(lagging);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(rechecked).toEqual([[refs[1], refs[2], refs[3]].sort(), [linked.eventKey]]);
  });

  it('still reports what the table itself holds wrong after the re-read', async () => {
    const summaryKey = { pk: `ITEM#${refs[1]}`, sk: 'SUMMARY' };
    const saved = (await client.send(new GetCommand({ TableName: table, Key: summaryKey }))).Item!;
    await client.send(new PutCommand({ TableName: table, Item: { ...saved, classification: 'informal' } }));
    try {
      const report = await verifyAudit(store());
      expect(report.findings.map((f) => [f.code, f.ref])).toEqual([['summary-mismatch', refs[1]]]);
      expect(report.findings[0]!.problem).toContain('classification');
    } finally {
      await client.send(new PutCommand({ TableName: table, Item: saved }));
    }
  });

  it('falls back to a scan on a table without the index (a local data dir from before it, or while AWS builds it)', async () => {
    // Named like the audit table (…-audit), so the local IAM model knows it as the audit table.
    const oldTable = 'before-index-audit';
    const withoutIndex = { ...TABLES.audit, indexes: TABLES.audit.indexes.filter((i) => i.name !== RECORD_TYPE_INDEX) };
    const ddb = new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
    await ddb.send(new CreateTableCommand(createTableInput(withoutIndex, oldTable)));
    ddb.destroy();
    for (const Item of (await client.send(new ScanCommand({ TableName: table }))).Items ?? []) await client.send(new PutCommand({ TableName: oldTable, Item }));
    const sent = recordCommands(client);
    const old = await verifyAudit(new AuditStore({ client, tableName: oldTable, council }));
    client.middlewareStack.remove('recordCommands');
    expect(sent.map((c) => c.name)).toContain('ScanCommand');
    expect(old).toEqual(await verifyAudit(store()));
    expect(old.ok).toBe(true);
  });
});
