import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { eventHash } from '../../shared/store/hash.ts';
import { LocalDigestStore, LocalKeySigner, checkDigests } from '../../shared/store/audit-digest.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { verifyAudit } from '../../shared/store/verify-audit.ts';
import { writeDigest } from '../../shared/store/write-digest.ts';
import { parseAuditArgs, runAudit } from '../../shared/cli/audit.ts';
import type { DigestAccess } from '../../shared/cli/audit-verify.ts';

/**
 * Signed digests kept outside the table (locally: create-only files and a key
 * file under HUB_DATA_DIR). The table's own writer can rebuild the chain with
 * every hash recomputed and the HEAD mark to match; only something kept
 * outside the table can show it. Each case gave "verify: OK" before issue 11.
 */

let emu: Emulators;
let client: DynamoDBDocumentClient;
let dir: string;
let n = 0;

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'audit-digest-' });
  client = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
  dir = mkdtempSync(join(tmpdir(), 'hub-digests-'));
});
afterAll(async () => {
  client?.destroy();
  await emu?.stop();
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) if (f.isFile()) chmodSync(join(f.parentPath, f.name), 0o644);
  rmSync(dir, { recursive: true, force: true });
});

async function council(events: number) {
  const id = `digest-${++n}`;
  const audit = new AuditStore({ client, tableName: emu.tableNames.audit, council: id });
  for (let i = 1; i <= events; i++)
    await audit.append({
      ref: `D-2026-${String(i).padStart(6, '0')}`,
      itemId: `i${i}`,
      type: 'reply-sent',
      at: new Date(Date.UTC(2026, 3, 1, 9, i)).toISOString(),
      data: { i },
      eventKey: `i${i}:sent`,
    });
  const signer = new LocalKeySigner(join(dir, `${id}.pem`));
  const store = new LocalDigestStore(join(dir, 'digests'));
  const access: DigestAccess = { store, signer, publicKeyPem: () => signer.publicKeyPem() };
  const verify = async () => {
    const checked = checkDigests(await store.list(id), await signer.publicKeyPem(), id);
    return verifyAudit(audit, { digests: checked.checkpoints, findings: checked.findings });
  };
  return { id, audit, signer, store, access, verify, digest: (onlyIfChanged = false) => writeDigest(audit, store, signer, { now: new Date(), onlyIfChanged }) };
}

async function rewriteFrom(id: string, seq: number): Promise<void> {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: emu.tableNames.audit,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':p': `CHAIN#${id}`, ':e': 'EVENT#' },
    }),
  );
  let prev = Items[seq - 2]!.hash as string;
  for (const item of Items.slice(seq - 1)) {
    const data = item.seq === seq ? { ...item.data, i: 999 } : item.data;
    const fields = { council: item.council, seq: item.seq, ref: item.ref, type: item.type, at: item.at, itemId: item.itemId, data, prevHash: prev };
    prev = eventHash(fields);
    await client.send(new PutCommand({ TableName: emu.tableNames.audit, Item: { ...item, ...fields, hash: prev } }));
  }
  await client.send(new PutCommand({ TableName: emu.tableNames.audit, Item: { pk: `CHAINHEAD#${id}`, sk: 'HEAD', seq: Items.length, hash: prev } }));
}

describe('signed digests outside the table', () => {
  it('catches a full rewrite with recomputed hashes (HEAD mark included) that the table alone cannot show', async () => {
    const c = await council(6);
    expect((await c.digest()).digest).toMatchObject({ number: 1, seq: 6, council: c.id });
    await rewriteFrom(c.id, 3);
    expect((await verifyAudit(c.audit)).ok).toBe(true); // the table is consistent with itself again
    const report = await c.verify();
    expect(report.findings.map((f) => [f.code, f.seq])).toEqual([['digest', 6]]);
    expect(report.findings[0]!.problem).toMatch(/digest 1 .*rewritten/);
    // And the hub refuses to sign the rewritten chain.
    await c.audit.append({ ref: 'D-2026-000007', itemId: 'i7', type: 'reply-sent', at: new Date().toISOString(), data: {}, eventKey: 'i7:sent' });
    await expect(c.digest()).rejects.toThrow(/not signing/);
  });

  it('shows a deleted digest as a gap in the numbers, and an altered digest by its signature', async () => {
    const c = await council(2);
    await c.digest();
    await c.audit.append({ ref: 'D-2026-000003', itemId: 'i3', type: 'reply-sent', at: new Date().toISOString(), data: {}, eventKey: 'i3:sent' });
    await c.digest();
    await c.audit.append({ ref: 'D-2026-000004', itemId: 'i4', type: 'reply-sent', at: new Date().toISOString(), data: {}, eventKey: 'i4:sent' });
    await c.digest();
    expect((await c.verify()).ok).toBe(true);
    const folder = join(dir, 'digests', c.id);
    const second = join(folder, '00000002.json');
    chmodSync(second, 0o644);
    rmSync(second);
    const gap = await c.verify();
    expect(gap.findings.map((f) => f.code)).toEqual(['digest']);
    expect(gap.findings[0]!.problem).toMatch(/digest 2 of .* is missing/);

    const third = join(folder, '00000003.json');
    chmodSync(third, 0o644);
    const forged = { ...(await c.store.list(c.id)).find((d) => d.number === 3)!, seq: 2 };
    writeFileSync(third, JSON.stringify(forged));
    expect((await c.verify()).findings.map((f) => f.problem).join('\n')).toMatch(/digest 3 .*signature does not verify/);
  });

  it('writes a digest file once and never over an existing one', async () => {
    const c = await council(1);
    const { digest } = await c.digest();
    await expect(c.store.put(digest!)).rejects.toThrow(/EEXIST/);
  });

  it('hourly: writes only when something was appended since the last digest, reading only the new events', async () => {
    const c = await council(3);
    expect((await c.digest(true)).written).toBe(true);
    expect((await c.digest(true)).written).toBe(false);
    await c.audit.append({ ref: 'D-2026-000004', itemId: 'i4', type: 'reply-sent', at: new Date().toISOString(), data: {}, eventKey: 'i4:sent' });
    const reads: number[] = [];
    const counting = {
      council: c.audit.council,
      headMark: () => c.audit.headMark(),
      eventsAfter: (seq: number) => {
        reads.push(seq);
        return c.audit.eventsAfter(seq);
      },
    };
    const next = await writeDigest(counting, c.store, c.signer, { now: new Date(), onlyIfChanged: true });
    expect(next.digest).toMatchObject({ number: 2, seq: 4 });
    expect(reads).toEqual([3]);
  });

  it('hub audit digest, key and verify --digest FILE on the command line', async () => {
    const c = await council(3);
    const run = async (argv: string[]) => {
      let text = '';
      const code = await runAudit(parseAuditArgs(['audit', ...argv]), { store: c.audit, out: { write: (t) => void (text += t) }, digests: c.access });
      return { code, text };
    };
    const key = await run(['key']);
    expect(key.text).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const made = await run(['digest', '--json']);
    expect(made.code).toBe(0);
    const kept = join(dir, `${c.id}-kept.json`);
    writeFileSync(kept, made.text);
    expect((await run(['verify', '--digest', kept])).code).toBe(0);
    await rewriteFrom(c.id, 2);
    // Even with the digest store itself wiped, the copy the auditor kept catches the rewrite.
    for (const f of readdirSync(join(dir, 'digests', c.id))) {
      chmodSync(join(dir, 'digests', c.id, f), 0o644);
      rmSync(join(dir, 'digests', c.id, f));
    }
    const bad = await run(['verify', '--digest', kept]);
    expect(bad.code).toBe(1);
    expect(bad.text).toMatch(/\[anchor\] event 3: the digest you kept .* rewritten/);
  });

  it('verify --public-key FILE checks signatures with the key the auditor kept: digests re-signed with a replaced key fail', async () => {
    const c = await council(2);
    const run = async (argv: string[], access: DigestAccess = c.access) => {
      let text = '';
      const code = await runAudit(parseAuditArgs(['audit', ...argv]), { store: c.audit, out: { write: (t) => void (text += t) }, digests: access });
      return { code, text };
    };
    const keptKey = join(dir, `${c.id}-kept-key.pem`);
    writeFileSync(keptKey, (await run(['key'])).text);
    await run(['digest']);
    expect((await run(['verify', '--public-key', keptKey])).code).toBe(0);
    // Someone replaces the key and the digest store with digests signed by the new key: the hub's own key vouches for them.
    const other = new LocalKeySigner(join(dir, `${c.id}-replacement.pem`));
    const replaced: DigestAccess = { store: new LocalDigestStore(join(dir, `${c.id}-replaced`)), signer: other, publicKeyPem: () => other.publicKeyPem() };
    await writeDigest(c.audit, replaced.store, other, { now: new Date(), onlyIfChanged: false });
    expect((await run(['verify'], replaced)).code).toBe(0);
    const checked = await run(['verify', '--public-key', keptKey], replaced);
    expect(checked.code).toBe(1);
    expect(checked.text).toMatch(/digest 1 .*signature does not verify/);
    // A kept digest of another council is a mistake to say, not a pass.
    const foreign = join(dir, `${c.id}-foreign.json`);
    writeFileSync(foreign, JSON.stringify({ ...(await c.store.list(c.id))[0]!, council: 'elsewhere' }));
    await expect(run(['verify', '--digest', foreign])).rejects.toThrow(/a digest of elsewhere, not of digest-/);
    await expect(run(['verify', '--public-key', join(dir, 'missing.pem')])).rejects.toThrow(/not a readable PEM public key/);
  });

  it('signs nothing for an empty chain, hourly or on demand (a digest of event 0 would read as a removed tail)', async () => {
    const c = await council(0);
    expect(await c.digest(true)).toEqual({ written: false, digest: undefined });
    let text = '';
    const code = await runAudit(parseAuditArgs(['audit', 'digest']), { store: c.audit, out: { write: (t) => void (text += t) }, digests: c.access });
    expect([code, text]).toEqual([0, `Nothing to sign: the audit trail of ${c.id} has no events yet.\n`]);
    expect(await c.store.list(c.id)).toEqual([]);
    expect((await verifyAudit(c.audit, { allowEmpty: true })).ok).toBe(true);
  });

  it('hub audit digest tells a person when it was signed in London time (the signed digest itself keeps ISO 8601 UTC)', async () => {
    const c = await council(3);
    let text = '';
    const code = await runAudit(parseAuditArgs(['audit', 'digest']), { store: c.audit, out: { write: (t) => void (text += t) }, digests: c.access });
    expect(code).toBe(0);
    expect(text).toMatch(/, signed \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d (GMT|BST)\./);
    expect((await c.store.list(c.id))[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });
});
