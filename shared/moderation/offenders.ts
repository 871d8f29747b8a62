import { OPS_PREFIX } from '../store/keys.ts';
/**
 * Repeat offenders (withyham.txt §6.13 "Repeat offenders will be blocked";
 * stilton.txt §8): breaching comments are counted per author (the sender
 * hash, never the Facebook id) over the policy's window. Idempotent on the
 * item id, so a redelivered item is not counted twice; concurrent comments by
 * one author are serialised by a version check.
 */

export interface OffenceStore {
  claim(key: string, options: { ttlSeconds: number; value?: Record<string, unknown> }): Promise<{ claimed: boolean; existing?: Record<string, unknown> }>;
  putIf(key: string, value: Record<string, unknown>, condition: { field: string; equals: unknown }, options?: { ttlSeconds?: number }): Promise<boolean>;
}

interface Offence {
  readonly itemId: string;
  readonly at: string;
}

const DAY_MS = 86_400_000;

/** Records this item as an offence by the author and returns how many fall within the window (this one included). */
export async function countOffence(store: OffenceStore, senderHash: string, itemId: string, at: string, windowDays: number): Promise<number> {
  const key = `${OPS_PREFIX.offences}${senderHash}`;
  const ttlSeconds = windowDays * 86_400 + 86_400;
  const since = new Date(at).getTime() - windowDays * DAY_MS;
  for (let attempt = 0; attempt < 10; attempt++) {
    const first = { version: 1, offences: [{ itemId, at }] };
    const claim = await store.claim(key, { ttlSeconds, value: first });
    if (claim.claimed) return 1;
    const existing = claim.existing ?? {};
    const offences = ((existing.offences as Offence[] | undefined) ?? []).filter((o) => new Date(o.at).getTime() >= since);
    if (offences.some((o) => o.itemId === itemId)) return offences.length;
    const next = { version: Number(existing.version ?? 0) + 1, offences: [...offences, { itemId, at }] };
    if (await store.putIf(key, next, { field: 'version', equals: existing.version }, { ttlSeconds })) return next.offences.length;
  }
  throw new Error('countOffence: too much contention on one author');
}
