import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../shared/model/index.ts';
import { eventHash, sha256Hex } from '../../shared/store/hash.ts';
import { LocalKeySigner, type DigestStore, type SignedDigest } from '../../shared/store/audit-digest.ts';
import { writeDigest } from '../../shared/store/write-digest.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Build 5: a digest of a 1,000,000-event chain costs work proportional to the
 * events since the last digest, not to the chain, nor to the years of
 * digests behind it. Counted in reads, not timed.
 */

const CHAIN = 1_000_000;
const COUNCIL = 'big';

function event(seq: number, prevHash: string): AuditEvent {
  const fields = {
    council: COUNCIL,
    seq,
    ref: `B-2026-${seq}`,
    type: 'reply-sent' as const,
    at: '2026-04-01T09:00:00.000Z',
    itemId: `i${seq}`,
    data: { seq },
    prevHash,
  };
  return { ...fields, hash: eventHash(fields) } as AuditEvent;
}

/** A chain of CHAIN events that exists only as far as it is read: every event read is counted. */
function syntheticChain(lastDigestSeq: number, lastDigestHash: string) {
  const reads = { events: 0, headMarks: 0, from: [] as number[] };
  const tail: AuditEvent[] = [];
  let prev = lastDigestHash;
  for (let seq = lastDigestSeq + 1; seq <= CHAIN; seq++) {
    const next = event(seq, prev);
    tail.push(next);
    prev = next.hash;
  }
  return {
    reads,
    source: {
      council: COUNCIL,
      headMark: async () => {
        reads.headMarks++;
        return { seq: CHAIN, hash: prev };
      },
      async *eventsAfter(seq: number) {
        reads.from.push(seq);
        // Only the tail after the last digest can be read here: reading from anywhere earlier would be the whole chain.
        if (seq !== lastDigestSeq) throw new Error(`read the chain from ${seq}, not from the last digest (${lastDigestSeq})`);
        for (const e of tail) {
          reads.events++;
          yield e;
        }
      },
    },
  };
}

/** Digests 1..count in memory; `get` and `list` counted. */
function countingStore(count: number, lastSeq: number, lastHash: string) {
  const digests = new Map<number, SignedDigest>();
  for (let n = 1; n <= count; n++) {
    const seq = Math.round((lastSeq * n) / count);
    digests.set(n, {
      version: 1,
      council: COUNCIL,
      number: n,
      seq,
      headHash: n === count ? lastHash : sha256Hex(String(n)),
      time: new Date(Date.UTC(2020, 0, 1, n)).toISOString(),
      algorithm: 'ECDSA_SHA_256',
      keyId: 'test',
      signature: '',
    });
  }
  const reads = { gets: 0, lists: 0, puts: 0 };
  const store: DigestStore = {
    get: async (_c, n) => {
      reads.gets++;
      return digests.get(n);
    },
    list: async () => {
      reads.lists++;
      return [...digests.values()];
    },
    put: async (d) => {
      reads.puts++;
      digests.set(d.number, d);
    },
  };
  return { store, reads };
}

describe('the cost of a digest', () => {
  it('of a 1,000,000-event chain, 10 events after the last of 20,000 digests: reads those 10 events and about 2·log2(20,000) digests', async () => {
    const lastSeq = CHAIN - 10;
    const lastHash = sha256Hex('head at the last digest');
    const chain = syntheticChain(lastSeq, lastHash);
    const digests = countingStore(20_000, lastSeq, lastHash);
    const signer = new LocalKeySigner(join(mkdtempSync(join(tmpdir(), 'digest-cost-')), 'key.pem'));
    const { written, digest } = await writeDigest(chain.source, digests.store, signer, { now: new Date(), onlyIfChanged: true });
    expect(written).toBe(true);
    expect(digest).toMatchObject({ number: 20_001, seq: CHAIN });
    expect(chain.reads).toEqual({ events: 10, headMarks: 1, from: [lastSeq] });
    expect(digests.reads.lists).toBe(0);
    expect(digests.reads.gets).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(20_000)) + 2);
    expect(digests.reads.puts).toBe(1);
  });

  it('hourly with nothing appended: one HEAD read and the digest lookups, no event read, nothing written', async () => {
    const lastHash = sha256Hex('head');
    const chain = syntheticChain(CHAIN, lastHash);
    const digests = countingStore(3, CHAIN, lastHash);
    const signer = new LocalKeySigner(join(mkdtempSync(join(tmpdir(), 'digest-cost-')), 'key.pem'));
    const { written } = await writeDigest(chain.source, digests.store, signer, { now: new Date(), onlyIfChanged: true });
    expect(written).toBe(false);
    expect(chain.reads).toEqual({ events: 0, headMarks: 1, from: [] });
    expect(digests.reads).toMatchObject({ lists: 0, puts: 0 });
  });
});
