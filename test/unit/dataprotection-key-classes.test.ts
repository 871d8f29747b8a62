import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DPO_ACCESS } from '../../infra/aws/access.ts';
import { DELETED_BY_REFERENCE, DELETED_BY_SENDER } from '../../shared/dataprotection/erase.ts';
import { DUE_KINDS, KEY_CLASSES, keyClassOf, opsKeysErasedBy, rawMailKeyOf, SORT_KEY_PREFIXES } from '../../shared/dataprotection/key-classes.ts';
import { MATCHED_CLASSES } from '../../shared/dataprotection/ops-records.ts';
import { rawMailExpiresAt } from '../../shared/dataprotection/raw-mail-expiry.ts';
import { DIGEST_OBJECT_PREFIX } from '../../shared/store/audit-digest.ts';
import { AUDIT_PREFIX, OPS_PREFIX } from '../../shared/store/keys.ts';
import { MAIL_BUCKET } from '../../shared/topology.ts';

/**
 * Every key class the code writes is in the data-protection table
 * (shared/dataprotection/key-classes.ts), so `hub sar export` and `hub erase`
 * cannot miss a new kind of record without this test failing.
 */

const ROOT = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const SOURCES = [...sourceFiles('shared'), ...sourceFiles('functions'), ...sourceFiles('infra/local')].filter((f) => !f.endsWith('key-classes.ts'));

describe('data-protection key classes', () => {
  it('every key prefix written in the code is a listed class (or a sort-key prefix inside one)', () => {
    const literals = new Map<string, string>();
    for (const file of SOURCES) {
      for (const match of readFileSync(file, 'utf8').matchAll(/[`'"]([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*#)/g)) literals.set(match[1]!, file.slice(ROOT.length + 1));
    }
    expect(literals.size).toBeGreaterThan(20);
    for (const [prefix, file] of literals) {
      const known = KEY_CLASSES.some((c) => c.prefix.startsWith(prefix)) || (SORT_KEY_PREFIXES as readonly string[]).includes(prefix);
      expect(known, `${prefix} (written in ${file}) is not in shared/dataprotection/key-classes.ts`).toBe(true);
    }
  });

  it('every prefix of the key module is a listed class of its table', () => {
    for (const prefix of Object.values(AUDIT_PREFIX))
      expect(
        KEY_CLASSES.some((c) => c.store === 'audit' && c.prefix === prefix),
        prefix,
      ).toBe(true);
    for (const prefix of Object.values(OPS_PREFIX))
      expect(
        KEY_CLASSES.some((c) => c.store === 'ops' && c.prefix.startsWith(prefix)),
        prefix,
      ).toBe(true);
  });

  it('every due-entry kind and every mail-bucket prefix is a listed class', () => {
    for (const file of SOURCES) {
      for (const match of readFileSync(file, 'utf8').matchAll(/_DUE = '([a-z-]+)'/g)) expect(Object.values(DUE_KINDS), file).toContain(match[1]);
    }
    for (const [name, prefix] of Object.entries(MAIL_BUCKET).filter(([k]) => k.endsWith('Prefix'))) {
      expect(
        KEY_CLASSES.some((c) => c.store === 'mail' && c.prefix === prefix),
        name,
      ).toBe(true);
    }
    expect(KEY_CLASSES.some((c) => c.store === 'digests' && c.prefix === DIGEST_OBJECT_PREFIX)).toBe(true);
  });

  it('each class about a person is found by the scan, and each class erasure deletes is deleted', () => {
    for (const c of KEY_CLASSES.filter((k) => k.store === 'ops')) {
      expect(MATCHED_CLASSES.includes(c.id), `${c.id}: ${c.personal}`).toBe(c.personal !== 'none');
      expect(c.erasure === 'keep' || c.personal !== 'none', c.id).toBe(true);
    }
    const deleted = KEY_CLASSES.filter((k) => k.store === 'ops' && k.erasure === 'delete').map((k) => k.id);
    expect([...DELETED_BY_REFERENCE, ...DELETED_BY_SENDER].sort()).toEqual(deleted.sort());
    for (const c of KEY_CLASSES) expect(c.erasure === 'keep' ? c.erasureNote.length > 10 : true, c.id).toBe(true);
  });

  it('the DPO role may delete exactly the deleted classes and update or rewrite exactly the scrubbed ones', () => {
    expect([...DPO_ACCESS.opsDeletableKeys].sort()).toEqual(opsKeysErasedBy('delete').sort());
    expect([...DPO_ACCESS.opsWritableKeys, ...DPO_ACCESS.opsUpdatableKeys].sort()).toEqual(opsKeysErasedBy('scrub').sort());
    // Never a key-unrestricted grant, and never the consent ledger's sibling classes by accident of a short prefix.
    for (const pattern of [...DPO_ACCESS.opsDeletableKeys, ...DPO_ACCESS.opsUpdatableKeys]) expect(pattern).toMatch(/^[A-Z][A-Z-]*#.*\*$/);
    expect(DPO_ACCESS.opsDeletableKeys).not.toContain('DUE#*');
  });

  it('finds the class of a key by the longest prefix and the sort key', () => {
    expect(keyClassOf('ops', 'CONSENT#abc', 'LEDGER')?.id).toBe('consent-ledger');
    expect(keyClassOf('ops', 'CONSENT#abc', 'REF#STL-1')?.id).toBe('consent-per-matter');
    expect(keyClassOf('ops', 'CONSENT-NOTE#STL-1#2026', 'V')?.id).toBe('consent-note');
    expect(keyClassOf('ops', 'DUE#case-reminder#STL-1#0', 'V')?.id).toBe('due-case-reminder');
    expect(keyClassOf('ops', 'DUE#something-new#STL-1', 'V')).toBeUndefined();
    expect(keyClassOf('ops', 'NEWTHING#1', 'V')).toBeUndefined();
    expect(keyClassOf('audit', 'ITEM#STL-1', 'CONTENT')?.id).toBe('item-content');
    expect(keyClassOf('ops', 'ITEM#ses:1', 'V')?.id).toBe('item-claim');
  });

  it('raw mail of SES items is found from the item id, and expires as the S3 lifecycle rule does', () => {
    expect(rawMailKeyOf('ses:0000abc-1')).toBe(`${MAIL_BUCKET.objectPrefix}0000abc-1`);
    expect(rawMailKeyOf('ses:../../etc/passwd')).toBeUndefined();
    expect(rawMailKeyOf('twilio:SM1')).toBeUndefined();
    // S3: creation time + days, rounded up to the next midnight UTC (written 14 Aug 19:57 with 60 days: gone from 14 Oct 00:00).
    expect(rawMailExpiresAt(new Date('2018-08-14T19:57:04Z'), 60).toISOString()).toBe('2018-10-14T00:00:00.000Z');
    expect(rawMailExpiresAt(new Date('2026-03-10T00:00:00Z'), 30).toISOString()).toBe('2026-04-10T00:00:00.000Z');
  });
});

describe('docs/data-protection.md', () => {
  it("lists every key class in the clerk's table, with what erasure does", () => {
    const doc = readFileSync(join(ROOT, 'docs', 'data-protection.md'), 'utf8');
    for (const c of KEY_CLASSES) expect(doc, c.id).toMatch(new RegExp(`\\| \`${c.id}\` \\([^|]*\\) \\| [^|]+ \\| ${c.personal} \\| ${c.erasure}: `));
  });
});
