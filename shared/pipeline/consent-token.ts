import { createHmac, timingSafeEqual } from 'node:crypto';
import { ENV } from '../topology.ts';

/**
 * The signed, expiring token in a consent link (`/consent/{token}`), short
 * enough for a 2-segment SMS: `<reference>.<expiry, base-36 epoch
 * seconds>.<HMAC-SHA256(key, council:reference.expiry), first 16 base64url
 * characters (96 bits)>`, e.g. `STL-2026-000042.tbg3k0.Xy3…` (~40 characters).
 * It carries no personal data: only the reference and the expiry; the
 * council is bound by the MAC. Links sent before the short form
 * (base64url(JSON claims) + "." + full HMAC) are still accepted.
 */

export interface ConsentClaims {
  readonly council: string;
  readonly ref: string;
  /** Expiry, epoch seconds. */
  readonly exp: number;
}

const SHORT_MAC_CHARS = 16;
const REF = /^[A-Z]{2,5}-[0-9]{4}-[0-9]{6}$/;

export function signConsentToken(claims: ConsentClaims, key: string): string {
  const body = `${claims.ref}.${claims.exp.toString(36)}`;
  return `${body}.${mac(`${claims.council}:${body}`, key).slice(0, SHORT_MAC_CHARS)}`;
}

export type ConsentTokenCheck =
  | { readonly ok: true; readonly claims: ConsentClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad-signature' | 'expired' };

/** `council` is the deployment's council id, which the short form binds without carrying it. */
export function verifyConsentToken(token: string, key: string, now: Date, council?: string): ConsentTokenCheck {
  const parts = token.split('.');
  if (parts.length === 3) return verifyShort(parts as [string, string, string], key, now, council);
  if (parts.length !== 2 || !parts[0] || !parts[1] || token.length > 1024) return { ok: false, reason: 'malformed' };
  const [payload, signature] = parts as [string, string];
  const expected = Buffer.from(mac(payload, key));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const { c, r, e } = (decoded ?? {}) as { c?: unknown; r?: unknown; e?: unknown };
  if (typeof c !== 'string' || typeof r !== 'string' || typeof e !== 'number') return { ok: false, reason: 'malformed' };
  if (now.getTime() / 1000 >= e) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { council: c, ref: r, exp: e } };
}

function verifyShort([ref, exp36, signature]: [string, string, string], key: string, now: Date, council: string | undefined): ConsentTokenCheck {
  if (council === undefined || !REF.test(ref) || !/^[0-9a-z]{1,10}$/.test(exp36) || !/^[A-Za-z0-9_-]{16}$/.test(signature))
    return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(`${council}:${ref}.${exp36}`, key).slice(0, SHORT_MAC_CHARS));
  if (!timingSafeEqual(expected, Buffer.from(signature))) return { ok: false, reason: 'bad-signature' };
  const exp = parseInt(exp36, 36);
  if (now.getTime() / 1000 >= exp) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { council, ref, exp } };
}

function mac(payload: string, key: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/**
 * Base of consent links: CONSENT_BASE_URL where set (the local hub, which must
 * leave PUBLIC_BASE_URL unset because webhooks sign the URL they were called
 * on), else the deployment's PUBLIC_BASE_URL.
 */
export function consentBaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[ENV.consentBaseUrl] || env[ENV.publicBaseUrl] || undefined;
}
