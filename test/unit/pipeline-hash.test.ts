import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AuditEvent } from '../../shared/model/index.ts';
import { canonicalJson, eventHash, GENESIS_HASH, hashSender } from '../../shared/store/hash.ts';
import { verifyChain } from '../../shared/store/audit-store.ts';

function chain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields = {
      council: 'c',
      seq,
      ref: `C-2026-${seq}`,
      type: 'received' as const,
      at: `2026-01-01T00:00:0${seq % 10}Z`,
      itemId: `i${seq}`,
      data: { n: seq },
      prevHash,
    };
    const event = { ...fields, hash: eventHash(fields) };
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}

describe('canonical JSON and hashes', () => {
  it('does not depend on key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
  });

  it('sender hashes ignore case and spacing but depend on the key', () => {
    expect(hashSender(' Ann@Example.org ', 'k')).toBe(hashSender('ann@example.org', 'k'));
    expect(hashSender('+44 7700 900123', 'k')).toBe(hashSender('+447700900123', 'k'));
    expect(hashSender('ann@example.org', 'k')).not.toBe(hashSender('ann@example.org', 'other'));
    expect(hashSender('ann@example.org', 'k')).not.toBe(hashSender('bob@example.org', 'k'));
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain', () => {
    expect(verifyChain(chain(5))).toEqual({ ok: true, count: 5, headHash: chain(5)[4]!.hash });
    expect(verifyChain([])).toMatchObject({ ok: true, count: 0 });
  });

  it('names the seq of any single alteration, removal or swap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.nat(), fc.constantFrom('alter', 'remove', 'swap'), (n, pick, how) => {
        const events = chain(n);
        const i = pick % (how === 'swap' ? n - 1 : n);
        if (how === 'alter') events[i] = { ...events[i]!, data: { n: -1 } };
        if (how === 'remove') events.splice(i, 1);
        if (how === 'swap') [events[i], events[i + 1]] = [events[i + 1]!, events[i]!];
        const check = verifyChain(events);
        if (how === 'remove' && i === n - 1) {
          // Removing the newest event leaves a valid shorter chain: only the recorded head (count, hash) shows it.
          expect(check).toMatchObject({ ok: true, count: n - 1 });
        } else {
          expect(check).toMatchObject({ ok: false, brokenAt: i + 1 });
        }
      }),
    );
  });
});
