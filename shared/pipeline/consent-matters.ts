import { OPS_PREFIX } from '../store/keys.ts';
/**
 * Data consent per matter (stilton.txt §11: a consent form for each new
 * correspondence "before action is taken with that correspondence").
 *
 * - An answer applies to its reference, and to the references that joined it.
 * - A sender has at most one open request: a new matter that arrives while
 *   one is pending joins it (`CONSENT-MATTERS#<ref>`), so one form covers
 *   every matter listed on it and a flood of texts gets one consent SMS.
 * - A later message in the same thread takes the matter's status, and joins
 *   it while it is still pending, so a decline given later is honoured there too.
 */

export interface MatterOps {
  claim(key: string, options: { ttlSeconds: number; value?: Record<string, unknown> }): Promise<{ claimed: boolean; existing?: Record<string, unknown> }>;
  putIf(key: string, value: Record<string, unknown>, condition: { field: string; equals: unknown }, options?: { ttlSeconds?: number }): Promise<boolean>;
  addMember(key: string, member: string, ttlSeconds: number): Promise<void>;
  members(key: string): Promise<string[]>;
}

export const openRequestKey = (senderHash: string) => `${OPS_PREFIX.consentOpen}${senderHash}`;
export const mattersKey = (ref: string) => `${OPS_PREFIX.consentMatters}${ref}`;

/** Kept until well after the request expires (by then every member has its final status). */
const MATTERS_GRACE_SECONDS = 60 * 86_400;

export type OpenOrJoin = { readonly joinedTo?: undefined } | { readonly joinedTo: string; readonly expiresAt: string };

/** Opens the sender's consent request for `ref`, or joins `ref` to the one already pending. */
export async function openOrJoinRequest(
  ops: Pick<MatterOps, 'claim' | 'addMember'>,
  senderHash: string,
  ref: string,
  expiresAt: string,
  now: Date,
): Promise<OpenOrJoin> {
  const ttlSeconds = Math.max(1, Math.ceil((Date.parse(expiresAt) - now.getTime()) / 1000));
  const claim = await ops.claim(openRequestKey(senderHash), { ttlSeconds, value: { ref, expiresAt } });
  const open = claim.existing;
  if (claim.claimed || !open || open.ref === ref || typeof open.ref !== 'string') return {};
  const joinedExpiry = typeof open.expiresAt === 'string' ? open.expiresAt : expiresAt;
  await joinMatter(ops, open.ref, ref, joinedExpiry, now);
  return { joinedTo: open.ref, expiresAt: joinedExpiry };
}

/** Adds `ref` to the matters the answer for `primary` applies to. */
export async function joinMatter(ops: Pick<MatterOps, 'addMember'>, primary: string, ref: string, expiresAt: string, now: Date): Promise<void> {
  const ttlSeconds = Math.max(1, Math.ceil((Date.parse(expiresAt) - now.getTime()) / 1000)) + MATTERS_GRACE_SECONDS;
  await ops.addMember(mattersKey(primary), ref, ttlSeconds);
}

/** Ends the sender's open request once `ref` is answered or expired, so their next matter gets its own. */
export async function closeOpenRequest(ops: Pick<MatterOps, 'putIf'>, senderHash: string, ref: string): Promise<void> {
  // An already-expired TTL frees the key for the next claim; the condition leaves a newer request alone.
  await ops.putIf(openRequestKey(senderHash), { ref, closed: true }, { field: 'ref', equals: ref }, { ttlSeconds: -1 });
}

/** Every matter an answer for `ref` applies to: itself and, transitively, those that joined it. */
export async function mattersOf(ops: Pick<MatterOps, 'members'>, ref: string): Promise<string[]> {
  const seen = new Set<string>([ref]);
  const queue = [ref];
  while (queue.length > 0 && seen.size < 1_000) {
    for (const member of await ops.members(mattersKey(queue.shift()!))) {
      if (!seen.has(member)) {
        seen.add(member);
        queue.push(member);
      }
    }
  }
  return [...seen];
}
