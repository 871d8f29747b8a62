import { describe, expect, it } from 'vitest';
import type { AuditSummary } from '../../shared/model/index.ts';
import { verifyConsentToken } from '../../shared/pipeline/consent-token.ts';
import { consentOutcomeMessage } from '../../shared/pipeline/consent.ts';
import { consentLink } from '../../shared/pipeline/consent-request.ts';
import { loadPolicy } from '../../shared/policy/load.ts';

const policy = loadPolicy('demo');
const summary: AuditSummary = {
  ref: 'DEM-2026-000042',
  council: 'demo',
  itemId: 'ses:abc',
  channel: 'email',
  provider: 'ses',
  classification: 'formal',
  receivedAt: '2026-03-02T09:00:00.000Z',
  day: '2026-03-02',
  senderHash: 'h',
  consentStatus: 'requested',
  retainUntil: '2033-03-02',
};

describe('consent link', () => {
  it('is valid until the request expires (M days after it was sent), and names only council and reference', () => {
    const requestedAt = new Date('2026-03-02T09:00:00Z');
    const link = consentLink({ policy, ref: summary.ref, requestedAt, signingKey: 'k', publicBaseUrl: 'https://hub.example.org/' });
    expect(link.startsWith('https://hub.example.org/consent/')).toBe(true);
    const token = link.split('/consent/')[1]!;
    const day = 86_400_000;
    const justBefore = new Date(requestedAt.getTime() + policy.consent.expiresAfterDays * day - 1000);
    const after = new Date(requestedAt.getTime() + policy.consent.expiresAfterDays * day);
    expect(verifyConsentToken(token, 'k', justBefore, 'demo')).toEqual({ ok: true, claims: expect.objectContaining({ council: 'demo', ref: summary.ref }) });
    expect(verifyConsentToken(token, 'k', after, 'demo')).toEqual({ ok: false, reason: 'expired' });
    expect(verifyConsentToken(token, 'other-key', justBefore, 'demo')).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

describe('clerk notice of the answer', () => {
  it('goes to the clerk by email, once per item, and says plainly what may be done with the data', () => {
    const granted = consentOutcomeMessage(summary, 'grant', '2026-03-03T10:00:00Z', policy);
    expect(granted).toMatchObject({
      id: 'ses:abc:consent-outcome',
      kind: 'consent-outcome',
      channel: 'email',
      to: policy.contacts.clerk.address,
      ref: summary.ref,
    });
    expect(granted.text).toContain('You may now act on this correspondence');
    for (const answer of ['decline', 'expired'] as const) {
      const message = consentOutcomeMessage(summary, answer, '2026-03-30T10:00:00Z', policy);
      expect(message.id).toBe(granted.id);
      expect(message.text).toContain('Do NOT pass on');
      expect(message.text).toContain(policy.consent.clause);
    }
  });
});
