import { describe, expect, it } from 'vitest';
import { signConsentToken, verifyConsentToken } from '../../shared/pipeline/consent-token.ts';

const key = 'test-consent-signing-key';
const now = new Date('2026-03-02T10:00:00Z');
const claims = { council: 'stilton', ref: 'STL-2026-000042', exp: now.getTime() / 1000 + 3600 };

describe('consent token', () => {
  it('round-trips the reference and council', () => {
    const check = verifyConsentToken(signConsentToken(claims, key), key, now);
    expect(check).toEqual({ ok: true, claims });
  });

  it('refuses a token after its expiry', () => {
    const later = new Date(now.getTime() + 3601_000);
    expect(verifyConsentToken(signConsentToken(claims, key), key, later)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token whose reference was changed', () => {
    const [, signature] = signConsentToken(claims, key).split('.');
    const forged = Buffer.from(JSON.stringify({ c: 'stilton', r: 'STL-2026-000043', e: claims.exp })).toString('base64url');
    expect(verifyConsentToken(`${forged}.${signature}`, key, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a token signed with another key, and garbage', () => {
    expect(verifyConsentToken(signConsentToken(claims, 'other'), key, now).ok).toBe(false);
    expect(verifyConsentToken('not-a-token', key, now)).toEqual({ ok: false, reason: 'malformed' });
  });
});
