import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signConsentToken, verifyConsentToken } from '../../shared/pipeline/consent-token.ts';

const key = 'test-consent-signing-key';
const now = new Date('2026-03-02T10:00:00Z');
const claims = { council: 'stilton', ref: 'STL-2026-000042', exp: now.getTime() / 1000 + 3600 };

describe('consent token', () => {
  it('round-trips the reference and council, in about 40 characters (a short link for SMS)', () => {
    const token = signConsentToken(claims, key);
    expect(token).toMatch(/^STL-2026-000042\.[0-9a-z]+\.[A-Za-z0-9_-]{16}$/);
    expect(token.length).toBeLessThanOrEqual(40);
    expect(verifyConsentToken(token, key, now, 'stilton')).toEqual({ ok: true, claims });
  });

  it('refuses a token after its expiry', () => {
    const later = new Date(now.getTime() + 3601_000);
    expect(verifyConsentToken(signConsentToken(claims, key), key, later, 'stilton')).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token whose reference or expiry was changed, or that was signed for another council', () => {
    const [, exp, signature] = signConsentToken(claims, key).split('.');
    expect(verifyConsentToken(`STL-2026-000043.${exp}.${signature}`, key, now, 'stilton')).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyConsentToken(`STL-2026-000042.zzzzzz.${signature}`, key, now, 'stilton')).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyConsentToken(signConsentToken(claims, key), key, now, 'withyham')).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a token signed with another key, and garbage', () => {
    expect(verifyConsentToken(signConsentToken(claims, 'other'), key, now, 'stilton').ok).toBe(false);
    expect(verifyConsentToken('not-a-token', key, now, 'stilton')).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyConsentToken('STL-2026-000042.abc.ŵŵŵŵŵŵŵŵŵŵŵŵŵŵŵŵ', key, now, 'stilton')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('still accepts a link in the earlier long form, sent before the upgrade', () => {
    const payload = Buffer.from(JSON.stringify({ c: 'stilton', r: claims.ref, e: claims.exp })).toString('base64url');
    const legacy = `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
    expect(verifyConsentToken(legacy, key, now, 'stilton')).toEqual({ ok: true, claims });
  });
});
