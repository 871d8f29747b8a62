import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The clerk's one-click moderation links (`/moderation/{token}`) in the
 * routing email of a flagged Facebook comment: hide, unhide, delete, block
 * the author. A token is base64url(claims) + "." + HMAC-SHA256 over a
 * purpose-prefixed payload, so a consent token can never pass as one (same
 * key, different purpose). It carries ids only: council, reference, comment
 * and author ids, the action, and its expiry. Each works once: the handler
 * claims `MODLINK#<tokenId>` before acting.
 */

export const LINK_ACTIONS = ['hide', 'unhide', 'delete', 'block'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

export interface ModerationLinkClaims {
  readonly council: string;
  readonly ref: string;
  readonly itemId: string;
  readonly action: LinkAction;
  /** Facebook comment id the action applies to. */
  readonly commentId: string;
  /** Facebook user id of the author (block). */
  readonly authorId?: string;
  /** Clause the flag cited, recorded with the action. */
  readonly clause: string;
  /** Expiry, epoch seconds. */
  readonly exp: number;
}

const PURPOSE = 'hub-moderation-link-v1:';

export function signModerationLink(claims: ModerationLinkClaims, key: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(payload, key)}`;
}

export type ModerationLinkCheck =
  | { readonly ok: true; readonly claims: ModerationLinkClaims; readonly tokenId: string }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad-signature' | 'expired' };

export function verifyModerationLink(token: string, key: string, now: Date): ModerationLinkCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1] || token.length > 2048) return { ok: false, reason: 'malformed' };
  const [payload, signature] = parts as [string, string];
  const expected = Buffer.from(mac(payload, key));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  let claims: ModerationLinkClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ModerationLinkClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const strings = [claims?.council, claims?.ref, claims?.itemId, claims?.commentId, claims?.clause];
  if (strings.some((s) => typeof s !== 'string') || !(LINK_ACTIONS as readonly string[]).includes(claims.action) || typeof claims.exp !== 'number')
    return { ok: false, reason: 'malformed' };
  if (claims.action === 'block' && typeof claims.authorId !== 'string') return { ok: false, reason: 'malformed' };
  if (now.getTime() / 1000 >= claims.exp) return { ok: false, reason: 'expired' };
  return { ok: true, claims, tokenId: createHash('sha256').update(signature).digest('hex').slice(0, 32) };
}

function mac(payload: string, key: string): string {
  return createHmac('sha256', key).update(PURPOSE).update(payload).digest('base64url');
}
