import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Decision, InboundItem } from '../../shared/model/index.ts';
import { OutboxMessage } from '../../shared/model/index.ts';
import { composeAutoReply, composeClerkRouting, composeConsentRequest, replyTargetFor } from '../../shared/pipeline/compose.ts';
import { loadPolicy } from '../../shared/policy/load.ts';

const policy = loadPolicy('stilton');
const item: InboundItem = {
  schemaVersion: 1,
  itemId: 'ses:abc',
  channel: 'email',
  provider: 'ses',
  kind: 'email',
  providerMessageId: 'abc',
  receivedAt: '2026-03-10T10:00:00.000Z',
  sender: { id: 'resident@example.org', name: 'Ann <Resident>' },
  replyTo: ['ann.home@example.org'],
  recipients: ['clerk@stiltonparishcouncil.org'],
  subject: 'Hedges & <b>verges</b>',
  text: 'Please cut the hedge <img src=x onerror=alert(1)> "now"',
  attachments: [{ filename: 'map<1>.pdf', contentType: 'application/pdf', sizeBytes: 10 }],
  thread: { messageId: '<m1@example.org>', references: ['<m0@example.org>'] },
  transport: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', returnPath: 'resident@example.org' },
};
const decision: Decision = {
  classification: 'formal',
  reasons: [{ rule: 'official-address', clause: 'stilton.txt §6, §10', detail: 'Sent to an official council address.' }],
  flags: [{ category: 'personal-attack', evidence: ['<idiot>'], clause: 'stilton.txt §7(b)', action: 'flag' }],
  actions: [{ type: 'audit' }, { type: 'route-to-clerk' }, { type: 'consent-request' }],
  policyVersion: policy.version,
};
const createdAt = '2026-03-10T10:00:01.000Z';

describe('clerk routing email', () => {
  const message = composeClerkRouting({ item, decision, ref: 'STL-2026-000007', policy, consentStatus: 'requested', createdAt });

  it('is a valid outbox message to the clerk, answerable straight to the resident', () => {
    expect(v.safeParse(OutboxMessage, message).success).toBe(true);
    expect(message).toMatchObject({
      id: 'ses:abc:clerk-routing',
      channel: 'email',
      to: 'clerk@stiltonparishcouncil.org',
      replyTo: 'ann.home@example.org',
      ref: 'STL-2026-000007',
    });
    expect(message.subject).toContain('STL-2026-000007');
  });

  it('carries reference, channel, sender, time, text, attachments, reasons with clauses and flags', () => {
    for (const part of [
      'STL-2026-000007',
      'Email',
      'resident@example.org',
      '10 Mar 2026, 10:00 GMT',
      item.text,
      'map<1>.pdf',
      'stilton.txt §6, §10',
      'personal-attack',
      'stilton.txt §7(b)',
    ]) {
      expect(message.text).toContain(part);
    }
  });

  it('says plainly that the data must not be passed on until consent is given', () => {
    expect(message.text).toMatch(/DATA CONSENT NOT YET GIVEN: do not pass .* outside the Council .* until the sender has completed the data consent form/);
    expect(message.text).toContain(policy.consent.clause);
    const granted = composeClerkRouting({ item, decision, ref: 'STL-2026-000007', policy, consentStatus: 'granted', createdAt });
    expect(granted.text).not.toMatch(/do not pass/);
  });

  it('escapes every resident value in the HTML', () => {
    const html = message.html!;
    expect(html).not.toMatch(/<img|<b>|<idiot>|<1>|<Resident>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &quot;now&quot;');
    expect(html).toContain('Hedges &amp; &lt;b&gt;verges&lt;/b&gt;');
    expect(html).toContain('map&lt;1&gt;.pdf');
  });

  it('marks held items', () => {
    const held = composeClerkRouting({
      item,
      decision: { ...decision, hold: 'unverified-sender' },
      ref: 'STL-2026-000008',
      policy,
      consentStatus: 'not-needed',
      createdAt,
    });
    expect(held.text).toMatch(/HOLD: the sender could not be verified/);
    expect(held.subject).toMatch(/HOLD/);
  });
});

describe('messages to the resident', () => {
  it('an email auto-reply is marked automatic, threaded, and prefixes the subject', () => {
    const reply = composeAutoReply({ target: replyTargetFor(item)!, policy, text: 'Thanks.', createdAt });
    expect(reply).toMatchObject({
      id: 'ses:abc:auto-reply',
      to: 'resident@example.org',
      subject: 'Auto: Hedges & <b>verges</b>',
      autoSubmitted: true,
      inReplyTo: '<m1@example.org>',
      references: ['<m0@example.org>', '<m1@example.org>'],
    });
    expect(v.safeParse(OutboxMessage, reply).success).toBe(true);
  });

  it('the consent request carries the reference and the link, on the channel used', () => {
    const sms: InboundItem = {
      ...item,
      itemId: 'twilio:SM1',
      channel: 'sms',
      provider: 'twilio',
      kind: 'sms',
      sender: { id: '+447700900555' },
      recipients: ['+447700900101'],
      subject: undefined,
      thread: {},
    };
    const consent = {
      target: replyTargetFor(sms)!,
      policy,
      ref: 'STL-2026-000009',
      consentUrl: 'https://hub.example.org/consent/t.k',
      expiresAt: '2026-04-07T10:00:00.000Z',
      createdAt,
    };
    const request = composeConsentRequest(consent);
    expect(request).toMatchObject({ kind: 'consent-request', channel: 'sms', to: '+447700900555', from: '+447700900101', provider: 'twilio' });
    expect(request.text).toContain('STL-2026-000009');
    expect(request.text).toContain('https://hub.example.org/consent/t.k');
    expect(request.html).toBeUndefined();
    const reminder = composeConsentRequest({ ...consent, reminder: true });
    expect(reminder).toMatchObject({ id: 'twilio:SM1:consent-reminder', kind: 'consent-reminder' });
  });

  it('a Facebook comment is answered by private reply to the comment; Mailchimp is never answered', () => {
    const comment: InboundItem = {
      ...item,
      itemId: 'meta:123_456:add',
      channel: 'facebook-comment',
      provider: 'meta',
      kind: 'comment',
      providerMessageId: '123_456:add',
      sender: { id: '999' },
      recipients: ['100000000000101'],
    };
    expect(replyTargetFor(comment)).toMatchObject({ channel: 'facebook-comment', to: '123_456', lastUserMessageAt: item.receivedAt });
    expect(replyTargetFor({ ...item, channel: 'mailchimp', provider: 'mailchimp' })).toBeUndefined();
  });
});

describe('clerk email size', () => {
  const sqsBytes = (m: unknown) => Buffer.byteLength(JSON.stringify(m), 'utf8');

  it('400 KB of quoted text, several times larger once HTML-escaped, still fits the outbox queue: shortened, and the clerk is told', () => {
    const quoted = '> <b>"quoted" & re-quoted</b>\n'.repeat(14_000); // ~400 KB; each line escapes to about twice its size
    const message = composeClerkRouting({ item: { ...item, text: quoted }, decision, ref: 'STL-2026-000007', policy, consentStatus: 'requested', createdAt });
    expect(sqsBytes(message)).toBeLessThanOrEqual(1_048_576);
    expect(message.text).toContain('too long for one email and is shortened below');
    expect(message.text).toContain('hub audit show STL-2026-000007');
    expect(message.text).toContain(quoted.slice(0, 10_000));
    expect(v.safeParse(OutboxMessage, message).success).toBe(true);
  });

  it('counts UTF-8 bytes: 300,000 CJK characters (900 KB) are shortened too, never split inside a character', () => {
    const text = '漢字'.repeat(150_000);
    const message = composeClerkRouting({ item: { ...item, text }, decision, ref: 'STL-2026-000008', policy, consentStatus: 'requested', createdAt });
    expect(sqsBytes(message)).toBeLessThanOrEqual(1_048_576);
    expect(message.text).toContain('shortened below');
    expect(message.text).not.toContain('\uFFFD');
  });

  it('an ordinary message is not touched', () => {
    const message = composeClerkRouting({ item, decision, ref: 'STL-2026-000007', policy, consentStatus: 'requested', createdAt });
    expect(message.text).not.toContain('shortened below');
    expect(message.text).toContain(item.text);
  });
});
