import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, UpdateCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { AuditStore, verifyChain } from '../../shared/store/audit-store.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import type { AuditSummary } from '../../shared/model/index.ts';

let emu: Emulators;
let client: DynamoDBDocumentClient;
let council = 0;

function store(name: string, extra: Partial<ConstructorParameters<typeof AuditStore>[0]> = {}): AuditStore {
  return new AuditStore({ client, tableName: emu.tableNames.audit, council: `${name}-${++council}`, ...extra });
}
const at = (n: number) => new Date(Date.UTC(2026, 2, 1, 9, 0, n)).toISOString();
const input = (n: number) => ({
  ref: `T-2026-${String(n).padStart(6, '0')}`,
  itemId: `item-${n}`,
  type: 'received' as const,
  at: at(n),
  data: { n, rule: 'x' },
  eventKey: `item-${n}:received`,
});

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'store-audit-' });
  client = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
});
afterAll(async () => {
  client?.destroy();
  await emu?.stop();
});

describe('audit hash chain', () => {
  it('verifies after sequential and 50 concurrent appends, with no gaps and no forks', async () => {
    const audit = store('chain');
    for (let i = 1; i <= 5; i++) await audit.append(input(i));
    await Promise.all(Array.from({ length: 50 }, (_, i) => audit.append(input(100 + i))));
    const events = await collect(audit.chainEvents());
    expect(new Set(events.map((e) => e.itemId)).size).toBe(55);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 55 }, (_, i) => i + 1));
    expect(verifyChain(events)).toMatchObject({ ok: true, count: 55 });
    expect(await audit.verify()).toMatchObject({ ok: true, count: 55 });
  }, 60_000);

  it('detects an event altered behind the store and names its seq', async () => {
    const audit = store('tamper');
    for (let i = 1; i <= 6; i++) await audit.append(input(i));
    await client.send(
      new UpdateCommand({
        TableName: emu.tableNames.audit,
        Key: { pk: `CHAIN#${audit.council}`, sk: 'EVENT#000000000004' },
        UpdateExpression: 'SET #d.#r = :v',
        ExpressionAttributeNames: { '#d': 'data', '#r': 'rule' },
        ExpressionAttributeValues: { ':v': 'something-else' },
      }),
    );
    const check = await audit.verify();
    expect(check).toMatchObject({ ok: false, brokenAt: 4 });
    expect(check.ok === false && check.problem).toMatch(/altered/);
  });

  it('detects a deleted event and names the missing seq', async () => {
    const audit = store('delete');
    for (let i = 1; i <= 6; i++) await audit.append(input(i));
    await client.send(new DeleteCommand({ TableName: emu.tableNames.audit, Key: { pk: `CHAIN#${audit.council}`, sk: 'EVENT#000000000003' } }));
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('detects removal of the newest events', async () => {
    const audit = store('truncate');
    for (let i = 1; i <= 5; i++) await audit.append(input(i));
    for (const sk of ['EVENT#000000000005', 'EVENT#000000000004']) {
      await client.send(new DeleteCommand({ TableName: emu.tableNames.audit, Key: { pk: `CHAIN#${audit.council}`, sk } }));
    }
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('detects a recomputed forgery: rehashing an altered event breaks the next link', async () => {
    const audit = store('forge');
    for (let i = 1; i <= 4; i++) await audit.append(input(i));
    const events = await collect(audit.chainEvents());
    const { eventHash } = await import('../../shared/store/hash.ts');
    const forged = { ...events[1]!, data: { n: 999 } };
    forged.hash = eventHash(forged);
    expect(verifyChain([events[0]!, forged, events[2]!, events[3]!])).toMatchObject({ ok: false, brokenAt: 3 });
    expect(verifyChain([events[0]!, events[2]!, events[1]!, events[3]!])).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('records once per event key and links it once, also when the same key is appended concurrently', async () => {
    const audit = store('idem');
    const first = await audit.append(input(1));
    const again = await audit.append({ ...input(1), at: at(59) });
    expect(again).toMatchObject({ eventKey: first.eventKey, at: first.at, seq: 1 });
    await Promise.all(Array.from({ length: 5 }, () => audit.append(input(2))));
    const events = await collect(audit.chainEvents());
    expect(events.filter((e) => e.itemId === 'item-2')).toHaveLength(1);
    expect(verifyChain(events)).toMatchObject({ ok: true, count: 2 });
  });

  it('links an event whose producer died after recording it and before naming it to the appender', async () => {
    const audit = store('crash');
    await audit.append(input(1));
    const recorder = new AuditStore({
      client,
      tableName: emu.tableNames.audit,
      council: audit.council,
      queue: {
        enqueue: async () => {
          throw new Error('killed before enqueue');
        },
      },
    });
    await expect(recorder.append(input(2))).rejects.toThrow('killed');
    expect(await collect(audit.chainEvents())).toHaveLength(1);
    // The redelivered producer records nothing new but names the key again.
    await audit.append(input(2));
    expect((await collect(audit.chainEvents())).map((e) => e.itemId)).toEqual(['item-1', 'item-2']);
  });

  it('does not append twice after the appender died between the chain put and its bookkeeping', async () => {
    const audit = store('crash2');
    await audit.append(input(1));
    await audit.append(input(2));
    // Undo the bookkeeping of event 2: its pending record loses the seq, the HEAD mark falls back to 1.
    await client.send(
      new UpdateCommand({
        TableName: emu.tableNames.audit,
        Key: { pk: `EVENTKEY#${audit.council}#item-2:received`, sk: 'EVENTKEY' },
        UpdateExpression: 'REMOVE seq',
      }),
    );
    const [one] = await collect(audit.chainEvents());
    await client.send(new PutCommand({ TableName: emu.tableNames.audit, Item: { pk: `CHAINHEAD#${audit.council}`, sk: 'HEAD', seq: 1, hash: one!.hash } }));
    await audit.append(input(2));
    await audit.append(input(3));
    expect((await collect(audit.chainEvents())).map((e) => e.itemId)).toEqual(['item-1', 'item-2', 'item-3']);
    expect(await audit.verify()).toMatchObject({ ok: true, count: 3 });
  });
});

describe('summaries, content and erasure', () => {
  const summary = (n: number, over: Partial<AuditSummary> = {}): AuditSummary => ({
    ref: `Q-2026-${String(n).padStart(6, '0')}`,
    council: 'q',
    itemId: `ses:${n}`,
    channel: 'email',
    provider: 'ses',
    classification: 'formal',
    receivedAt: `2026-04-${String(n).padStart(2, '0')}T10:00:00.000Z`,
    day: `2026-04-${String(n).padStart(2, '0')}`,
    senderHash: n % 2 ? 'odd-sender' : 'even-sender',
    consentStatus: 'requested',
    retainUntil: '2032-04-30',
    ...over,
  });

  it('lists summaries by day range, sender, channel, consent status and reference', async () => {
    const audit = store('list');
    for (let n = 1; n <= 9; n++) await audit.putSummary(summary(n, n === 5 ? { channel: 'sms', provider: 'twilio' } : {}));
    const refs = async (f: Parameters<AuditStore['listSummaries']>[0]) =>
      (await collect(audit.listSummaries(f)))
        .map((s) => s.ref.slice(-1))
        .sort()
        .join('');
    expect(await refs({ from: '2026-04-03', to: '2026-04-05' })).toBe('345');
    expect(await refs({ senderHash: 'odd-sender', from: '2026-04-02', to: '2026-04-07' })).toBe('357');
    expect(await refs({ channel: 'sms' })).toBe('5');
    expect(await audit.setConsentStatus(summary(4).ref, 'granted')).toBe(true);
    expect(await audit.setConsentStatus(summary(4).ref, 'expired', { onlyFrom: ['requested', 'reminded'] })).toBe(false);
    expect(await refs({ consentStatus: 'granted' })).toBe('4');
    expect(await refs({ ref: summary(8).ref })).toBe('8');
  });

  it('erases personal content to a tombstone and the chain still verifies', async () => {
    const audit = store('erase');
    const s = summary(1);
    await audit.putSummary(s);
    const hash = await audit.putContent(
      s.ref,
      { sender: { id: 'resident@example.org' }, subject: 'Potholes', text: 'Dear clerk', attachments: [] },
      s.retainUntil,
    );
    await audit.append({ ref: s.ref, itemId: s.itemId, type: 'received', at: s.receivedAt, data: { contentHash: hash }, eventKey: `${s.itemId}:received` });
    await audit.erasePersonalData(s.ref, 'SAR-2026-001');
    await audit.erasePersonalData(s.ref, 'SAR-2026-001');
    const content = await audit.getContent(s.ref);
    expect(content?.content).toBeUndefined();
    expect(content?.contentHash).toBe(hash);
    expect(content?.erased?.reason).toBe('SAR-2026-001');
    expect((await audit.getSummary(s.ref))?.senderHash).not.toBe(s.senderHash);
    expect((await audit.eventsFor(s.ref)).map((e) => e.type)).toEqual(['received', 'personal-data-erased']);
    expect(await audit.verify()).toMatchObject({ ok: true, count: 2 });
  });
});

describe('ops store', () => {
  it('allocates unique, consecutive references under concurrency', async () => {
    const ops = new OpsStore({ client, tableName: emu.tableNames.ops });
    const refs = await Promise.all(Array.from({ length: 40 }, () => ops.allocateReference('STL', 2026)));
    expect(new Set(refs).size).toBe(40);
    expect([...refs].sort()).toEqual(Array.from({ length: 40 }, (_, i) => `STL-2026-${String(i + 1).padStart(6, '0')}`));
  });

  it('claims a key once and treats an expired claim as free', async () => {
    let now = Date.UTC(2026, 0, 1);
    const ops = new OpsStore({ client, tableName: emu.tableNames.ops, clock: () => now });
    expect(await ops.claim('item:a', { ttlSeconds: 60, value: { state: 'started' } })).toEqual({ claimed: true });
    expect(await ops.claim('item:a', { ttlSeconds: 60 })).toEqual({ claimed: false, existing: { state: 'started' } });
    now += 61_000;
    expect((await ops.claim('item:a', { ttlSeconds: 60 })).claimed).toBe(true);
  });

  it('allows one auto-reply per sender per window, repeatable for the same item', async () => {
    const ops = new OpsStore({ client, tableName: emu.tableNames.ops, clock: () => Date.UTC(2026, 0, 1) });
    expect(await ops.recordAutoReply('h1', '2026-01-01T10:00:00.000Z', 7, 'i1')).toBe(true);
    expect(await ops.recordAutoReply('h1', '2026-01-01T10:00:00.000Z', 7, 'i1')).toBe(true);
    expect(await ops.recordAutoReply('h1', '2026-01-03T10:00:00.000Z', 7, 'i2')).toBe(false);
    expect(await ops.lastAutoReply('h1')).toEqual({ at: '2026-01-01T10:00:00.000Z', itemId: 'i1' });
    expect(await ops.recordAutoReply('h1', '2026-01-09T10:00:00.000Z', 7, 'i3')).toBe(true);
  });

  it('finds due entries up to a time and forgets deleted ones', async () => {
    const ops = new OpsStore({ client, tableName: emu.tableNames.ops });
    await ops.putDue('consent-reminder', '2026-02-01T00:00:00.000Z', 'R-1', { ref: 'R-1' });
    await ops.putDue('consent-reminder', '2026-02-05T00:00:00.000Z', 'R-2', { ref: 'R-2' });
    expect((await ops.queryDue('consent-reminder', '2026-02-02T00:00:00.000Z')).map((d) => d.key)).toEqual(['R-1']);
    await ops.deleteDue('consent-reminder', 'R-1');
    expect(await ops.queryDue('consent-reminder', '2026-02-02T00:00:00.000Z')).toEqual([]);
  });

  it('tracks consent per matter and the consent ledger', async () => {
    const ops = new OpsStore({ client, tableName: emu.tableNames.ops });
    expect(await ops.consentStatus('s1', 'R-1')).toBeUndefined();
    await ops.setConsent('s1', 'R-1', 'requested', '2026-01-01T00:00:00.000Z');
    expect(await ops.consentStatus('s1', 'R-1')).toBe('requested');
    await ops.setConsent('s1', 'R-1', 'granted', '2026-01-02T00:00:00.000Z');
    expect(await ops.consentStatus('s1', 'R-1')).toBe('granted');
    expect(await ops.consentStatus('s1', 'R-2')).toBeUndefined();
    await ops.recordConsentLedger('s1', 'opt-out', '2026-01-05T00:00:00.000Z', 'mc:1');
    await ops.recordConsentLedger('s1', 'opt-in', '2026-01-04T00:00:00.000Z', 'mc:0');
    expect(await ops.consentLedger('s1')).toMatchObject({ lastChange: 'opt-out', optedOut: true });
  });
});
