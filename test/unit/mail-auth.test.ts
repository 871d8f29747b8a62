import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { authenticationResults, buildSesEvent } from '../../infra/local/smtp.ts';
import { InboundItem, type TransportFacts } from '../../shared/model/index.ts';
import { composeClerkRouting, replyTargetFor } from '../../shared/pipeline/compose.ts';
import { decide } from '../../shared/policy/engine.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { mailAuth } from '../../shared/policy/mail-auth.ts';

const policy = loadPolicy('stilton');
// Saturday: outside office hours, so an authenticated sender would also get the out-of-office reply.
const now = new Date('2026-03-14T10:00:00.000Z');

function email(transport: Partial<TransportFacts>, over: Partial<InboundItem> = {}): InboundItem {
  return v.parse(InboundItem, {
    schemaVersion: 1,
    itemId: 'ses:forged-1',
    channel: 'email',
    provider: 'ses',
    kind: 'email',
    providerMessageId: 'forged-1',
    receivedAt: now.toISOString(),
    sender: { id: 'victim@example.net' },
    recipients: ['clerk@stiltonparishcouncil.org'],
    subject: 'URGENT: verify your account at http://evil.example',
    text: 'Dear Clerk, please see the link.',
    attachments: [],
    thread: { messageId: '<forged-1@example.net>' },
    transport: { spam: 'PASS', virus: 'PASS', returnPath: 'victim@example.net', ...transport },
    ...over,
  });
}

const decideFor = (item: InboundItem) => decide(item, policy, { now, consentOnFile: false });
const sendsToResident = (d: ReturnType<typeof decideFor>) => d.actions.filter((a) => a.type === 'auto-reply' || a.type === 'consent-request');

describe('replies only to authenticated addresses', () => {
  it('a forged envelope (SPF FAIL, no DKIM signature, no DMARC verdict) is held and gets nothing of any kind', () => {
    const item = email({ spf: 'FAIL', dkim: 'GRAY', dmarc: 'GRAY' });
    const d = decideFor(item);
    expect(d).toMatchObject({ classification: 'formal', hold: 'unverified-sender' });
    expect(sendsToResident(d)).toEqual([]);
    const reason = d.reasons.find((r) => r.rule === 'unverified-sender');
    expect(reason?.clause).toContain('RFC 7208');
    expect(reason?.detail).toContain('SPF FAIL');
    expect(replyTargetFor(item)).toBeUndefined();
    // The clerk still gets it, but the clerk email does not offer the forged address as the reply address.
    const routing = composeClerkRouting({ item, decision: d, ref: 'STL-2026-000001', policy, consentStatus: 'not-needed', createdAt: now.toISOString() });
    expect(routing.replyTo).toBeUndefined();
    expect(routing.text).toContain('could not be authenticated');
  });

  it('no verdict at all (GRAY) is routed but never answered, with the reason recorded', () => {
    const item = email({ spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' });
    const d = decideFor(item);
    expect(d.classification).toBe('formal');
    expect(d.hold).toBeUndefined();
    expect(d.actions.some((a) => a.type === 'route-to-clerk')).toBe(true);
    expect(sendsToResident(d)).toEqual([]);
    expect(d.reasons.map((r) => r.rule)).toContain('unauthenticated-sender');
    expect(replyTargetFor(item)).toBeUndefined();
  });

  it('SPF PASS: the consent form and the out-of-office reply go to the envelope sender', () => {
    const item = email({ spf: 'PASS', dkim: 'GRAY', dmarc: 'GRAY' });
    const d = decideFor(item);
    expect(sendsToResident(d).map((a) => a.type)).toEqual(['consent-request', 'auto-reply']);
    expect(replyTargetFor(item)?.to).toBe('victim@example.net');
  });

  it('DMARC PASS (a forwarded mail with an aligned DKIM signature): replies go to the aligned header From, not the envelope', () => {
    const item = email(
      { spf: 'FAIL', dkim: 'PASS', dmarc: 'PASS', returnPath: 'bounces@forwarder.example' },
      { sender: { id: 'bounces@forwarder.example' }, headerFrom: { id: 'resident@example.org', name: 'A Resident' } },
    );
    expect(mailAuth(item)).toEqual({ status: 'authenticated', via: 'dmarc', address: 'resident@example.org' });
    expect(decideFor(item).hold).toBeUndefined();
    expect(replyTargetFor(item)?.to).toBe('resident@example.org');
  });

  it('a DKIM PASS that DMARC does not align with the From does not rescue an SPF FAIL', () => {
    const item = email({ spf: 'FAIL', dkim: 'PASS', dmarc: 'GRAY' });
    expect(decideFor(item).hold).toBe('unverified-sender');
  });
});

describe("the resident's Reply-To in the clerk email", () => {
  const route = (item: InboundItem) =>
    composeClerkRouting({ item, decision: decideFor(item), ref: 'STL-2026-000002', policy, consentStatus: 'requested', createdAt: now.toISOString() });

  it('is shown beside From, with a warning when it differs from the authenticated From; it is the reply address only then', () => {
    const item = email(
      { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
      { sender: { id: 'victim@example.net', name: 'Pat' }, replyTo: ['collector@evil.example'] },
    );
    const message = route(item);
    const lines = message.text.split('\n');
    const from = lines.findIndex((l) => l.startsWith('From: '));
    expect(lines[from + 1]).toBe('Reply-To (set by the sender): collector@evil.example');
    expect(message.text).toContain('REPLY-TO DIFFERS');
    expect(message.text).toContain('not to their authenticated address victim@example.net');
    expect(message.html).toContain('collector@evil.example');
    expect(message.replyTo).toBe('collector@evil.example');
  });

  it('is shown but never used when the sender is not authenticated', () => {
    const item = email({ spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' }, { replyTo: ['collector@evil.example'] });
    const message = route(item);
    expect(message.text).toContain('Reply-To (set by the sender): collector@evil.example');
    expect(message.text).toContain('REPLY-TO NOT USED');
    expect(message.replyTo).toBeUndefined();
  });

  it('no warning when the Reply-To is the authenticated address', () => {
    const item = email({ spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' }, { replyTo: ['Victim@Example.net'] });
    const message = route(item);
    expect(message.text).not.toContain('REPLY-TO');
    expect(message.replyTo).toBe('Victim@Example.net');
  });
});

describe('local mail verdicts (Authentication-Results, DESIGN.md)', () => {
  it('reads spf, dkim and dmarc; softfail is a FAIL; missing methods are GRAY', () => {
    expect(authenticationResults(['mx.example; spf=softfail smtp.mailfrom=a@b.example; dkim=none'])).toEqual({ spf: 'FAIL', dkim: 'GRAY', dmarc: 'GRAY' });
    expect(
      authenticationResults([
        'mx; spf=pass smtp.mailfrom=a@b.example; dkim=fail header.d=x.example; dkim=pass header.d=b.example; dmarc=pass header.from=b.example',
      ]),
    ).toEqual({
      spf: 'PASS',
      dkim: 'PASS',
      dmarc: 'PASS',
    });
    expect(authenticationResults([])).toEqual({ spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' });
  });

  it('the local SMTP event carries them as SES verdicts', () => {
    const raw = Buffer.from('Authentication-Results: local; spf=fail smtp.mailfrom=victim@example.net\r\nFrom: victim@example.net\r\nSubject: x\r\n\r\nbody');
    const receipt = buildSesEvent({ raw, messageId: 'abc', envelopeFrom: 'victim@example.net', recipients: ['clerk@x.example'] }).Records[0]!.ses.receipt;
    expect([receipt.spfVerdict.status, receipt.dkimVerdict.status, receipt.dmarcVerdict.status]).toEqual(['FAIL', 'GRAY', 'GRAY']);
  });
});
