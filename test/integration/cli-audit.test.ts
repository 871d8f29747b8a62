import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindPrincipal } from '../../infra/local/iam/enforce.ts';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startEmulators, LOCAL_CREDENTIALS, LOCAL_REGION, type Emulators } from '../../infra/local/emulators.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { hashSender } from '../../shared/store/hash.ts';
import { parseAuditArgs, runAudit, UsageError } from '../../shared/cli/audit.ts';
import type { AuditSummary } from '../../shared/model/index.ts';

const SENDER_KEY = 'cli-test-sender-key';

function capture() {
  let text = '';
  return { out: { write: (t: string) => void (text += t) }, text: () => text };
}

async function run(store: AuditStore, argv: string[]) {
  const out = capture();
  const progress = capture();
  const code = await runAudit(parseAuditArgs(['audit', ...argv]), { store, out: out.out, progress: progress.out, senderKey: SENDER_KEY });
  return { code, text: out.text(), progress: progress.text() };
}

function summary(ref: string, receivedAt: string, over: Partial<AuditSummary> = {}): AuditSummary {
  return {
    ref,
    council: 'stilton',
    itemId: `ses:${ref}`,
    channel: 'email',
    provider: 'ses',
    classification: 'formal',
    receivedAt,
    day: receivedAt.slice(0, 10),
    senderHash: hashSender('resident@example.co.uk', SENDER_KEY),
    consentStatus: 'requested',
    retainUntil: '2032-04-01',
    ...over,
  };
}

describe('hub audit (against dynalite)', () => {
  let emu: Emulators;
  let store: AuditStore;
  let writer: AuditStore;
  const client = () => createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });

  beforeAll(async () => {
    emu = await startEmulators({ prefix: 'cli-' });
    // The pipeline (classify's role) writes the records; the CLI reads them as the auditor role.
    writer = new AuditStore({ client: bindPrincipal(client(), 'classify'), tableName: emu.tableNames.audit, council: 'stilton' });
    store = new AuditStore({ client: bindPrincipal(client(), 'auditor'), tableName: emu.tableNames.audit, council: 'stilton' });
    const items = [
      summary('STL-2026-000001', '2026-03-02T09:15:00.000Z'),
      summary('STL-2026-000002', '2026-03-03T14:00:00.000Z', {
        channel: 'sms',
        provider: 'twilio',
        consentStatus: 'granted',
        senderHash: hashSender('+447700900456', SENDER_KEY),
      }),
      summary('STL-2026-000003', '2026-03-05T10:30:00.000Z', { channel: 'mailchimp', provider: 'mailchimp', consentStatus: 'not-needed' }),
    ];
    for (const s of items) {
      await writer.putSummary(s);
      await writer.append({ ref: s.ref, itemId: s.itemId, type: 'received', at: s.receivedAt, data: { channel: s.channel }, eventKey: `${s.itemId}:received` });
      await writer.append({
        ref: s.ref,
        itemId: s.itemId,
        type: 'classified',
        at: s.receivedAt,
        data: { classification: 'formal', reasons: [{ rule: 'official-address', clause: 'stilton.txt §10', detail: 'Sent to the clerk’s council address.' }] },
        eventKey: `${s.itemId}:classified`,
      });
    }
  });
  afterAll(async () => emu?.stop());

  it('lists items in a readable table, filtered by day range and channel', async () => {
    const all = await run(store, ['list']);
    expect(all.code).toBe(0);
    expect(all.text).toMatch(/Reference\s+Received\s+Channel/);
    expect(all.text).toContain('3 items');
    expect(all.text).toContain('2 Mar 2026, 09:15 GMT');

    const range = await run(store, ['list', '--from', '2026-03-03', '--to', '2026-03-04', '--json']);
    expect(JSON.parse(range.text).map((s: AuditSummary) => s.ref)).toEqual(['STL-2026-000002']);

    const sms = await run(store, ['list', '--channel', 'sms', '--json']);
    expect(JSON.parse(sms.text).map((s: AuditSummary) => s.ref)).toEqual(['STL-2026-000002']);
  });

  it('finds one sender’s items by address without the address being stored', async () => {
    const mine = await run(store, ['list', '--sender', 'Resident@Example.co.uk', '--json']);
    expect(
      JSON.parse(mine.text)
        .map((s: AuditSummary) => s.ref)
        .sort(),
    ).toEqual(['STL-2026-000001', 'STL-2026-000003']);
    const granted = await run(store, ['list', '--consent', 'granted', '--json']);
    expect(JSON.parse(granted.text)).toHaveLength(1);
  });

  it('shows the whole event history of one item with the clauses that decided it', async () => {
    const shown = await run(store, ['show', 'STL-2026-000001']);
    expect(shown.code).toBe(0);
    expect(shown.text).toContain('received');
    expect(shown.text).toContain('official-address [stilton.txt §10]');
    const missing = await run(store, ['show', 'STL-2026-999999']);
    expect(missing.code).toBe(1);
    expect(missing.text).toContain('No audit record');
  });

  it('finds a reference in any case, as printed or typed', async () => {
    const shown = await run(store, ['show', 'stl-2026-000002']);
    expect(shown.code).toBe(0);
    expect(shown.text).toContain('Reference STL-2026-000002');
    const listed = await run(store, ['list', '--reference', 'Stl-2026-000003', '--json']);
    expect(JSON.parse(listed.text).map((s: AuditSummary) => s.ref)).toEqual(['STL-2026-000003']);
  });

  it('accepts the 12-character sender hash that list shows', async () => {
    const table = await run(store, ['list']);
    const row = table.text.split('\n').find((line) => line.startsWith('STL-2026-000002'))!;
    const shortHash = row.trim().split(/\s+/).at(-1)!;
    expect(shortHash).toHaveLength(12);
    const mine = await run(store, ['list', '--sender-hash', shortHash.toUpperCase(), '--json']);
    expect(JSON.parse(mine.text).map((s: AuditSummary) => s.ref)).toEqual(['STL-2026-000002']);
  });

  it('exports in the same order as list (received time), not in table scan order', async () => {
    // Written out of order, on two days, so a scan cannot return them sorted by luck.
    const extra = [
      summary('STL-2026-000009', '2026-03-04T23:30:00.000Z', { day: '2026-03-04' }),
      summary('STL-2026-000008', '2026-03-04T08:00:00.000Z', { day: '2026-03-04' }),
      summary('STL-2026-000007', '2026-03-01T08:00:00.000Z', { day: '2026-03-01' }),
    ];
    const db = client();
    try {
      for (const s of extra) await writer.putSummary(s);
      const listed = (await run(store, ['list', '--json'])).text;
      const order = (JSON.parse(listed) as AuditSummary[]).map((s) => s.ref);
      expect(order).toEqual(['STL-2026-000007', 'STL-2026-000001', 'STL-2026-000002', 'STL-2026-000008', 'STL-2026-000009', 'STL-2026-000003']);
      const csv = (await run(store, ['export', '--csv'])).text
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]);
      expect(csv).toEqual(order);
      const jsonl = (await run(store, ['export', '--json', '--from', '2026-03-02'])).text
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as AuditSummary).ref);
      expect(jsonl).toEqual(order.slice(1));
    } finally {
      for (const s of extra) await db.send(new DeleteCommand({ TableName: emu.tableNames.audit, Key: { pk: `ITEM#${s.ref}`, sk: 'SUMMARY' } }));
    }
  });

  it('exports every row as CSV, streamed, with a progress line', async () => {
    const exported = await run(store, ['export', '--csv']);
    const lines = exported.text.trim().split('\n');
    expect(lines[0]).toBe('ref,receivedAt,channel,classification,consentStatus,retainUntil,senderHash');
    expect(lines).toHaveLength(4);
    expect(exported.progress).toContain('exported 3 items');
  });

  it('names the broken link after tampering and after a deletion', async () => {
    const db = client();
    await db.send(
      new UpdateCommand({
        TableName: emu.tableNames.audit,
        Key: { pk: 'CHAIN#stilton', sk: 'EVENT#000000000003' },
        UpdateExpression: 'SET #t = :t',
        ExpressionAttributeNames: { '#t': 'type' },
        ExpressionAttributeValues: { ':t': 'consent-granted' },
      }),
    );
    const altered = await run(store, ['verify']);
    expect(altered.code).toBe(1);
    expect(altered.text).toContain('[event-altered] event 3 · consent-granted · STL-2026-000002: event 3 was altered');

    await db.send(new DeleteCommand({ TableName: emu.tableNames.audit, Key: { pk: 'CHAIN#stilton', sk: 'EVENT#000000000003' } }));
    const removed = await run(store, ['verify', '--json']);
    expect(removed.code).toBe(1);
    expect(JSON.parse(removed.text)).toMatchObject({ ok: false });
    expect(JSON.parse(removed.text).findings).toContainEqual(expect.objectContaining({ code: 'chain-gap', seq: 3 }));
  });
});

describe('hub audit arguments', () => {
  it.each([
    [['audit', 'list', '--from', '2026-13-01'], /--from must be a real date/],
    [['audit', 'list', '--to', 'yesterday'], /--to must be a real date/],
    [['audit', 'list', '--from', '2026-03-05', '--to', '2026-03-01'], /is after/],
    [['audit', 'list', '--colour'], /^unknown option --colour$/],
    [['audit', 'list', '--form', '2026-03-01'], /^unknown option --form \(did you mean --from\?\)$/],
    [['audit', 'list', '--from'], /^option --from needs a value \(YYYY-MM-DD\)$/],
    [['audit', 'list', '--chanel', 'sms'], /did you mean --channel\?/],
    [['audit', 'lsit'], /unknown audit command "lsit" \(did you mean list\?\)/],
    [['audit', 'list', '--sender-hash', 'abc'], /--sender-hash must be 12 to 64 hexadecimal characters/],
    [['audit', 'list', '--channel', 'fax'], /--channel must be one of/],
    [['audit', 'show'], /show needs a reference/],
    [['audit', 'delete'], /unknown audit command/],
    [['audit', 'verify', '--csv'], /--csv is for list and export/],
  ])('rejects %j with a usage message', (argv, message) => {
    expect(() => parseAuditArgs(argv)).toThrow(UsageError);
    expect(() => parseAuditArgs(argv)).toThrow(message);
  });
});
