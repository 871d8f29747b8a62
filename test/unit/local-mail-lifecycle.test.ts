import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expireLocalRawMail } from '../../infra/local/mail-lifecycle.ts';

describe('local raw-mail lifecycle (as the bucket rule in AWS)', () => {
  it('deletes raw mail once the policy days have passed, rounded to midnight UTC; keeps newer mail and full bodies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mail-lifecycle-'));
    mkdirSync(join(dir, 'inbound'));
    mkdirSync(join(dir, 'content', 'demo'), { recursive: true });
    const written = new Date('2026-03-10T10:30:00.000Z');
    for (const path of ['inbound/a', 'inbound/b', 'content/demo/REF-1.json']) {
      writeFileSync(join(dir, path), 'x');
      utimesSync(join(dir, path), written, written);
    }
    const newer = new Date('2026-03-20T10:30:00.000Z');
    utimesSync(join(dir, 'inbound', 'b'), newer, newer);
    const policy = { retention: { rawMail: { days: 30, clause: 'x' } } } as Parameters<typeof expireLocalRawMail>[1];

    // 10 March 10:30 + 30 days = 9 April 10:30, rounded up: deleted from 10 April 00:00 UTC.
    expect(await expireLocalRawMail(dir, policy, new Date('2026-04-09T23:59:59.000Z'))).toBe(0);
    expect(await expireLocalRawMail(dir, policy, new Date('2026-04-10T00:00:00.000Z'))).toBe(1);
    expect(readdirSync(join(dir, 'inbound'))).toEqual(['b']);
    expect(readdirSync(join(dir, 'content', 'demo'))).toEqual(['REF-1.json']);
    // A shorter policy period applies as written.
    expect(await expireLocalRawMail(dir, { retention: { rawMail: { days: 7, clause: 'x' } } } as typeof policy, new Date('2026-03-28T00:00:00.000Z'))).toBe(1);
    expect(await expireLocalRawMail(join(dir, 'missing'), policy)).toBe(0);
  });
});
