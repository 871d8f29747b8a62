import { eventHash, GENESIS_HASH } from './hash.ts';
import { latestDigest, nextDigestPayload, signDigest, type DigestSigner, type DigestStore, type SignedDigest } from './audit-digest.ts';
import type { AuditStore } from './audit-store.ts';

/**
 * Signs and stores the next digest of a council's chain. Work is proportional
 * to the events since the last digest, not to the chain: it reads the HEAD
 * mark, the last digest (O(log n) gets of digests) and the events after its seq, and refuses to sign unless
 * they link to the last digest's hash (so a rewritten chain is never signed).
 * `onlyIfChanged` (the hourly schedule): nothing is written when nothing was
 * appended since the last digest.
 */
export async function writeDigest(
  audit: Pick<AuditStore, 'council' | 'headMark' | 'eventsAfter'>,
  digests: DigestStore,
  signer: DigestSigner,
  options: { now: Date; onlyIfChanged: boolean },
): Promise<{ written: boolean; digest: SignedDigest | undefined }> {
  const last = await latestDigest(digests, audit.council);
  const mark = await audit.headMark();
  const head = mark ?? { seq: 0, hash: GENESIS_HASH };
  if (options.onlyIfChanged && last && last.seq === head.seq) return { written: false, digest: last };
  let top = last ? { seq: last.seq, hash: last.headHash } : { seq: 0, hash: GENESIS_HASH };
  for await (const event of audit.eventsAfter(top.seq)) {
    const links = event.seq === top.seq + 1 && event.prevHash === top.hash && eventHash(event) === event.hash;
    if (!links) throw new Error(`not signing: event ${event.seq} does not continue the chain signed in digest ${last?.number ?? 0}; run hub audit verify`);
    top = { seq: event.seq, hash: event.hash };
  }
  if (top.seq < head.seq) throw new Error(`not signing: the chain ends at event ${top.seq} but the HEAD mark says ${head.seq}; run hub audit verify`);
  // An empty chain has nothing to vouch for (and verify would read "event 0" as a removed tail).
  if (top.seq === 0) return { written: false, digest: undefined };
  const digest = await signDigest(nextDigestPayload(audit.council, last, top, options.now), signer);
  await digests.put(digest);
  return { written: true, digest };
}
