import { describe, expect, it } from 'vitest';
import type { AuditSummary, ConsentStatus, OutboxMessage } from '../../shared/model/index.ts';
import { handleConsentForm, type ConsentDeps } from '../../shared/pipeline/consent.ts';
import { consentLink } from '../../shared/pipeline/consent-request.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import type { Policy } from '../../shared/policy/schema.ts';

/**
 * Issue 17 items 13 and 14: the consent form says which message it is about,
 * links the privacy notice and tells the resident how to reach the clerk; the
 * clerk's outcome email names the original subject.
 */

const NOW = new Date('2026-07-14T09:00:00Z');

function setup(policy: Policy, channel: AuditSummary['channel'], subject?: string) {
  const summary: AuditSummary = {
    ref: `${policy.council.referencePrefix}-2026-000042`,
    council: policy.council.id,
    itemId: `x:${channel}`,
    channel,
    provider: channel === 'sms' ? 'twilio' : 'ses',
    classification: 'formal',
    receivedAt: '2026-07-13T21:30:00.000Z',
    day: '2026-07-13',
    senderHash: 'h',
    consentStatus: 'requested',
    retainUntil: '2033-07-13',
  };
  let status: ConsentStatus = 'requested';
  const claims = new Map<string, Record<string, unknown>>();
  const published: OutboxMessage[] = [];
  const deps: ConsentDeps = {
    policy,
    audit: {
      append: async () => undefined,
      getSummary: async (ref) => (ref === summary.ref ? { ...summary, consentStatus: status } : undefined),
      setConsentStatus: async (_ref, next) => {
        status = next;
        return true;
      },
      getContent: async () => ({ content: subject === undefined ? {} : { subject } }),
    },
    ops: {
      get: async () => undefined,
      claim: async (key, options) => {
        const existing = claims.get(key);
        if (existing) return { claimed: false, existing };
        claims.set(key, options.value ?? {});
        return { claimed: true };
      },
      setConsent: async () => undefined,
      putDue: async () => undefined,
      queryDue: async () => [],
      deleteDue: async () => undefined,
      put: async () => undefined,
      putIf: async () => true,
      incrementBelow: async () => true,
      members: async () => [],
    },
    publish: async (messages) => void published.push(...messages),
    signingKey: 'k',
    publicBaseUrl: 'https://hub.example.org',
    now: () => NOW,
  };
  const token = consentLink({
    policy,
    ref: summary.ref,
    requestedAt: new Date('2026-07-13T21:30:05Z'),
    signingKey: 'k',
    publicBaseUrl: 'https://hub.example.org',
  }).split('/consent/')[1]!;
  const get = () => handleConsentForm({ method: 'GET', token }, deps);
  const answer = (choice: string) =>
    handleConsentForm({ method: 'POST', token, contentType: 'application/x-www-form-urlencoded', body: `choice=${choice}` }, deps);
  return { get, answer, published, summary };
}

describe('the consent form says what it is about', () => {
  it('names the message: channel, London time and subject, and links the privacy notice', async () => {
    const { get } = setup(loadPolicy('demo'), 'email', 'Overgrown hedge on Mill Road');
    const page = (await get()).body;
    expect(page).toContain('Your message: email, received 13 Jul 2026, 22:30 BST.');
    expect(page).toContain('Subject: Overgrown hedge on Mill Road');
    expect(page).toContain('<a href="https://demo-parish.example.org.uk/privacy-notice">Demo Parish Council privacy notice</a>');
    expect(page).toMatch(/\.ref\{[^}]*white-space:nowrap/);
  });

  it('without a privacy notice in the policy, says to ask the clerk, with the address', async () => {
    const policy = loadPolicy('stilton');
    const page = (await setup(policy, 'email', 'Bins').get()).body;
    expect(page).toContain(`For the council's privacy notice, ask the clerk at <a href="mailto:${policy.contacts.clerk.address}">`);
  });

  it("after answering, gives the clerk's address and, where texts are official, a number to text", async () => {
    const policy = loadPolicy('demo');
    const { answer } = setup(policy, 'sms');
    const page = (await answer('decline')).body;
    expect(page).toContain(`email the clerk at <a href="mailto:${policy.contacts.clerk.address}">${policy.contacts.clerk.address}</a>`);
    if (policy.channels.sms.formal) expect(page).toContain(`send a text message to <span class="ref">${policy.contacts.smsNumbers[0]}</span>`);
    expect(page).toContain('Your message: text message (SMS), received 13 Jul 2026, 22:30 BST.');
    expect(page).not.toContain('please reply to the clerk');
  });

  it("the clerk's outcome email names the original subject", async () => {
    const { answer, published, summary } = setup(loadPolicy('demo'), 'email', 'Overgrown hedge\r\non Mill Road');
    await answer('grant');
    const outcome = published.find((m) => m.kind === 'consent-outcome')!;
    expect(outcome.subject).toBe(`Data consent given: ${summary.ref} (Overgrown hedge on Mill Road)`);
    expect(outcome.text).toContain('Their message: Overgrown hedge on Mill Road');
  });
});
