import { createHmac, timingSafeEqual } from 'node:crypto';
import { ENV } from '../topology.ts';

/**
 * The signed, expiring token in a consent link (`/consent/{token}`):
 * base64url(JSON claims) + "." + base64url(HMAC-SHA256(key, payload)).
 * It carries no personal data: only the council, the reference and the expiry.
 */

export interface ConsentClaims {
  readonly council: string;
  readonly ref: string;
  /** Expiry, epoch seconds. */
  readonly exp: number;
}

export function signConsentToken(claims: ConsentClaims, key: string): string {
  const payload = Buffer.from(JSON.stringify({ c: claims.council, r: claims.ref, e: claims.exp })).toString('base64url');
  return `${payload}.${mac(payload, key)}`;
}

export type ConsentTokenCheck =
  | { readonly ok: true; readonly claims: ConsentClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad-signature' | 'expired' };

export function verifyConsentToken(token: string, key: string, now: Date): ConsentTokenCheck {
  const parts = token.split('.');
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
