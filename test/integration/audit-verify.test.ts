import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import type { OutboxMessage } from '../../shared/model/index.ts';
import { processInboundItem, type ClassifyDeps } from '../../shared/pipeline/classify.ts';
import { eventHash } from '../../shared/store/hash.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import { verifyAudit } from '../../shared/store/verify-audit.ts';
import { parseAuditArgs, runAudit } from '../../shared/cli/audit.ts';
import { itemBuilder } from '../support/items.ts';

/**
 * Each case builds a real trail with classify (so summaries, content and
 * events are what production writes), tampers with the table the way an
 * attacker with write access would, and checks that verify names it. Every
 * case here gave "verify: OK" before issue 11.
 */

const policy = loadPolicy('stilton');
let emu: Emulators;
let client: DynamoDBDocumentClient;
let tables = 0;
let table: string;
let audit: AuditStore;
let refs: string[];
const published: OutboxMessage[] = [];
const clock = () => new Date('2026-03-10T10:30:00.000Z');
const mail = itemBuilder('verify', clock, policy);

async function freshTrail(items = 3): Promise<void> {
  // One table per case: tampering never leaks into the next.
  table = `${emu.tableNames.audit}`;
  const council = `${policy.council.id}`;
  // Named like the audit table (…-audit), so the local IAM model knows it as the audit table.
  const name = `verify-${++tables}-audit`;
  await createLike(name);
  table = name;
  audit = new AuditStore({ client, tableName: table, council });
  const deps: ClassifyDeps = {
    audit,
    ops: new OpsStore({ client, tableName: emu.tableNames.ops }),
    outbox: { publish: async (m) => void published.push(...m) },
    policy,
    secrets: { CONSENT_SIGNING_KEY: 'verify-test-key' },
    now: clock,
    publicBaseUrl: 'https://hub.example.org',
  };
  refs = [];
  for (let n = 1; n <= items; n++) {
    const outcome = await processInboundItem(mail.email(), deps);
    refs.push(outcome.ref!);
  }
}

async function createLike(name: string): Promise<void> {
  const { CreateTableCommand, DescribeTableCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const ddb = new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: emu.tableNames.audit }));
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: Table!.AttributeDefinitions,
      KeySchema: Table!.KeySchema,
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: Table!.GlobalSecondaryIndexes!.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })),
    }),
  );
  ddb.destroy();
}

const chainPk = () => `CHAIN#${policy.council.id}`;
const headKey = () => ({ pk: `CHAINHEAD#${policy.council.id}`, sk: 'HEAD' });

async function events() {
  const out = await client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':p': chainPk(), ':e': 'EVENT#' },
    }),
  );
  return out.Items ?? [];
}

async function verify(options: Parameters<typeof verifyAudit>[1] = {}) {
  return verifyAudit(audit, options);
}

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'audit-verify-' });
  client = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
});
afterAll(async () => {
  client?.destroy();
  await emu?.stop();
});
beforeEach(async () => {
  await freshTrail();
});

describe('hub audit verify: everything an auditor reads is bound to the chain', () => {
  it('passes an untouched trail, with every item checked', async () => {
    const report = await verify();
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ ok: true, items: 3 });
    expect(report.events).toBeGreaterThanOrEqual(9);
  });

  it('catches an edited summary (consent status, classification) and names the item', async () => {
    await client.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `ITEM#${refs[1]}`, sk: 'SUMMARY' },
        UpdateExpression: 'SET consentStatus = :g, classification = :c',
        ExpressionAttributeValues: { ':g': 'granted', ':c': 'informal' },
      }),
    );
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => [f.code, f.ref, f.type])).toEqual([
      ['summary-mismatch', refs[1], 'received'],
      ['summary-mismatch', refs[1], 'received'],
    ]);
    const problems = report.findings.map((f) => f.problem).join('\n');
    expect(problems).toContain('consentStatus "granted" but its events give "requested"');
    expect(problems).toContain('classification "informal" but its events give "formal"');
    expect(report.findings[0]!.seq).toBeGreaterThan(0);
  });

  it('catches a summary whose sender hash was swapped', async () => {
    await client.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `ITEM#${refs[0]}`, sk: 'SUMMARY' },
        UpdateExpression: 'SET senderHash = :h',
        ExpressionAttributeValues: { ':h': 'f'.repeat(64) },
      }),
    );
    const report = await verify();
    expect(report.findings.map((f) => [f.code, f.ref])).toEqual([['summary-mismatch', refs[0]]]);
    expect(report.findings[0]!.problem).toMatch(/senderHash/);
  });

  it('catches edited message content against the received event hash', async () => {
    await client.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `ITEM#${refs[2]}`, sk: 'CONTENT' },
        UpdateExpression: 'SET content.#t = :t',
        ExpressionAttributeNames: { '#t': 'text' },
        ExpressionAttributeValues: { ':t': 'I withdraw my complaint.' },
      }),
    );
    const report = await verify();
    expect(report.findings.map((f) => [f.code, f.ref, f.type])).toEqual([['content-mismatch', refs[2], 'received']]);
  });

  it('accepts erased content through its erasure record, but not content removed without one', async () => {
    await audit.erasePersonalData(refs[0]!, 'SAR-2026-001');
    expect((await verify()).findings).toEqual([]);

    await client.send(new UpdateCommand({ TableName: table, Key: { pk: `ITEM#${refs[1]}`, sk: 'CONTENT' }, UpdateExpression: 'REMOVE content' }));
    await client.send(new DeleteCommand({ TableName: table, Key: { pk: `ITEM#${refs[2]}`, sk: 'CONTENT' } }));
    const report = await verify();
    expect(report.findings.map((f) => [f.code, f.ref])).toEqual([
      ['erasure-unrecorded', refs[1]],
      ['content-missing', refs[2]],
    ]);
  });

  it('reports orphans: a summary without events and a received event without its summary', async () => {
    const forged = {
      ...(await client.send(new GetCommand({ TableName: table, Key: { pk: `ITEM#${refs[0]}`, sk: 'SUMMARY' } }))).Item!,
      pk: 'ITEM#STL-2026-999999',
      ref: 'STL-2026-999999',
    };
    await client.send(new PutCommand({ TableName: table, Item: forged }));
    await client.send(new DeleteCommand({ TableName: table, Key: { pk: `ITEM#${refs[1]}`, sk: 'SUMMARY' } }));
    const report = await verify();
    expect(report.findings.map((f) => [f.code, f.ref]).sort()).toEqual([
      ['summary-missing', refs[1]],
      ['summary-orphan', 'STL-2026-999999'],
    ]);
  });

  it('catches an edited event and lists every problem, not only the first', async () => {
    const all = await events();
    const classified = all.find((e) => e.type === 'classified')!;
    const routed = all.filter((e) => e.type === 'routed').at(-1)!;
    for (const event of [classified, routed]) {
      await client.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: event.pk, sk: event.sk },
          UpdateExpression: 'SET #d.policyVersion = :v',
          ExpressionAttributeNames: { '#d': 'data' },
          ExpressionAttributeValues: { ':v': 'forged' },
        }),
      );
    }
    const report = await verify();
    const altered = report.findings.filter((f) => f.code === 'event-altered');
    expect(altered.map((f) => [f.seq, f.type, f.ref])).toEqual([
      [classified.seq, 'classified', classified.ref],
      [routed.seq, 'routed', routed.ref],
    ]);
    expect(altered[0]!.next).toMatch(/point-in-time backup/);
  });

  it('catches a full rewrite with recomputed hashes against a kept anchor (and the HEAD mark)', async () => {
    const before = await verify();
    const anchor = { seq: before.events, hash: before.headHash, label: 'the anchor you gave' };
    // Rewrite event 2 and re-hash everything after it, HEAD mark included: the table alone is consistent again.
    const all = await events();
    let prev = all[0]!.hash as string;
    for (const item of all.slice(1)) {
      const data = item.seq === 2 ? { ...item.data, policyVersion: 'forged' } : item.data;
      const fields = { council: item.council, seq: item.seq, ref: item.ref, type: item.type, at: item.at, itemId: item.itemId, data, prevHash: prev };
      const hash = eventHash(fields);
      await client.send(new PutCommand({ TableName: table, Item: { ...item, ...fields, hash } }));
      prev = hash;
    }
    const unanchored = await verify();
    expect(unanchored.findings.map((f) => f.code)).toEqual(['head-mark']);
    await client.send(
      new UpdateCommand({
        TableName: table,
        Key: headKey(),
        UpdateExpression: 'SET #h = :h',
        ExpressionAttributeNames: { '#h': 'hash' },
        ExpressionAttributeValues: { ':h': prev },
      }),
    );
    expect((await verify()).ok).toBe(true); // what the table alone can prove: nothing, against its own writer
    const anchored = await verify({ anchors: [anchor] });
    expect(anchored.findings.map((f) => [f.code, f.seq])).toEqual([['anchor', before.events]]);
    expect(anchored.findings[0]!.problem).toMatch(/rewritten/);
  });

  it("fails when a council's records are all deleted, unless an empty chain is expected", async () => {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: table }));
    for (const item of Items) await client.send(new DeleteCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }));
    const report = await verify();
    expect(report.findings.map((f) => f.code)).toEqual(['empty-chain']);
    expect(report.findings[0]!.next).toMatch(/--allow-empty/);
    expect((await verify({ allowEmpty: true })).ok).toBe(true);
  });

  it('catches a truncated tail through the HEAD mark, and through an anchor when the mark is lowered too', async () => {
    const before = await verify();
    const all = await events();
    for (const item of all.slice(-2)) await client.send(new DeleteCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }));
    const report = await verify();
    expect(report.findings.find((f) => f.code === 'tail-removed')).toMatchObject({ seq: all.length - 1 });
    const last = all.at(-3)!;
    await client.send(new PutCommand({ TableName: table, Item: { ...headKey(), seq: last.seq, hash: last.hash } }));
    const anchored = await verify({ anchors: [{ seq: before.events, hash: before.headHash, label: 'the anchor you gave' }] });
    expect(anchored.findings.map((f) => f.code)).toContain('anchor');
  });

  it('reports an event recorded long ago that never reached the chain (the appender is failing)', async () => {
    const stuck = new AuditStore({ client, tableName: table, council: policy.council.id, queue: { enqueue: async () => undefined } });
    await stuck.append({ ref: refs[0]!, itemId: 'ses:x', type: 'reply-sent', at: '2026-03-10T10:31:00.000Z', data: { outboxId: 'x' }, eventKey: 'x:sent' });
    const soon = await verify();
    expect(soon).toMatchObject({ ok: true, pending: 1 });
    const later = await verify({ now: new Date(Date.now() + 20 * 60_000) });
    expect(later.findings.map((f) => [f.code, f.type, f.ref])).toEqual([['pending', 'reply-sent', refs[0]]]);
    expect(later.findings[0]!.next).toMatch(/dead-letter queue/);
  });

  it('fails on an unknown (misspelt) council', async () => {
    const misspelt = new AuditStore({ client, tableName: table, council: 'stliton' });
    const report = await verifyAudit(misspelt);
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => f.code)).toEqual(['empty-chain']);
    expect(report.findings[0]!.problem).toContain('"stliton"');
  });
});

describe('hub audit verify on the command line', () => {
  async function run(argv: string[], store = audit) {
    let text = '';
    const code = await runAudit(parseAuditArgs(['audit', 'verify', ...argv]), { store, out: { write: (t) => void (text += t) } });
    return { code, text };
  }

  it('prints the head to keep, checks an anchor, and lists findings with what to do next', async () => {
    const ok = await run([]);
    expect(ok.code).toBe(0);
    const head = /Head: (\d+:[0-9a-f]{64})/.exec(ok.text)![1]!;
    expect((await run(['--anchor', head])).code).toBe(0);

    await client.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `ITEM#${refs[0]}`, sk: 'SUMMARY' },
        UpdateExpression: 'SET consentStatus = :g',
        ExpressionAttributeValues: { ':g': 'declined' },
      }),
    );
    const bad = await run([]);
    expect(bad.code).toBe(1);
    expect(bad.text).toMatch(new RegExp(`FAILED: .*1 finding[\\s\\S]*\\[summary-mismatch\\] event \\d+ · received · ${refs[0]}:[\\s\\S]*next: `));
    const json = await run(['--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.text)).toMatchObject({ ok: false, findings: [{ code: 'summary-mismatch', ref: refs[0], type: 'received' }] });
  });

  it('rejects a malformed anchor as a usage error', () => {
    expect(() => parseAuditArgs(['audit', 'verify', '--anchor', '12:abc'])).toThrow(/SEQ:HASH/);
  });
});
