import { describe, expect, it } from 'vitest';
import { TEXT_KEYS } from '../../shared/model/decision.ts';
import { loadPolicy, PRESET_NAMES } from '../../shared/policy/load.ts';
import { fillPlaceholders, renderText } from '../../shared/policy/texts.ts';

const stilton = loadPolicy('stilton');
const KNOWN = new Set(['reference', 'clerkEmail', 'councilName', 'consentUrl', 'consentExpires', 'nextMonitored']);

describe('renderText', () => {
  it('fills the clerk address from the policy and the rest from vars', () => {
    const text = renderText(stilton, 'consentRequest', {
      reference: 'STL-2025-000042',
      consentUrl: 'https://hub.example/consent/abc.def',
      consentExpires: 'Tuesday, 7 April 2026 at 11:00',
    });
    expect(text).toContain('reference STL-2025-000042');
    expect(text).toContain('https://hub.example/consent/abc.def');
    expect(text).not.toMatch(/\{\w+\}/);
  });

  it('leaves a placeholder with no value visible', () => {
    expect(renderText(stilton, 'consentRequest', {})).toContain('{reference}');
  });

  it('inserts values as plain text, never expanding placeholders inside them', () => {
    const text = renderText(stilton, 'outOfOffice', { reference: '{clerkEmail}', nextMonitored: '<b>Monday</b>' });
    expect(text).toContain('(reference {clerkEmail})');
    expect(text).toContain('<b>Monday</b>');
  });

  it('picks the not-official-contact text for the channel', () => {
    expect(renderText(stilton, 'notOfficialContact', {}, 'sms')).toMatch(/^Stilton Parish Council: thank you for your text/);
    expect(renderText(stilton, 'notOfficialContact', { channel: 'facebook-comment' })).toMatch(/^Thank you for your comment/);
    expect(renderText(stilton, 'notOfficialContact', {})).toMatch(/^Thank you for your email/);
  });

  it('fillPlaceholders handles repeated and unknown names', () => {
    expect(fillPlaceholders('{a} {a} {b}', { a: 'x' })).toBe('x x {b}');
  });

  it.each(PRESET_NAMES)('%s uses only placeholders the hub knows', (name) => {
    const policy = loadPolicy(name);
    for (const key of TEXT_KEYS) {
      for (const channel of ['messenger', 'facebook-comment', 'email', 'sms'] as const) {
        const text = renderText(policy, key, {}, channel);
        for (const [, placeholder] of text.matchAll(/\{(\w+)\}/g)) expect(KNOWN, `${name} ${key}`).toContain(placeholder);
      }
    }
    // The consent texts must carry the link, or the resident cannot act on them.
    expect(policy.texts.consentRequest).toContain('{consentUrl}');
    expect(policy.texts.consentReminder).toContain('{consentUrl}');
    // ... and say how long the link lasts (issue 17 item 10).
    for (const text of [policy.texts.consentRequest, policy.texts.consentReminder, policy.texts.consentRequestSms, policy.texts.consentReminderSms]) {
      expect(text).toContain('{consentUrl}');
      expect(text).toContain('{consentExpires}');
    }
  });
});
