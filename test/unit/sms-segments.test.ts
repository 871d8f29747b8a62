import { describe, expect, it } from 'vitest';
import type { InboundItem } from '../../shared/model/index.ts';
import { countSegments } from '../../shared/delivery/sms-segments.ts';
import { composeConsentRequest, MAX_CONSENT_SMS_SEGMENTS, replyTargetFor } from '../../shared/pipeline/compose.ts';
import { signConsentToken } from '../../shared/pipeline/consent-token.ts';
import { PRESET_NAMES, loadPolicy } from '../../shared/policy/load.ts';
import type { Policy } from '../../shared/policy/schema.ts';

describe('SMS segments (GSM-7 versus UCS-2)', () => {
  it('GSM-7: 160 characters in one segment, 153 per segment after that', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
    expect(countSegments('£5 at the café, Ä Ö Ü ß').encoding).toBe('GSM-7');
  });

  it('extension characters take two septets and never straddle a segment boundary', () => {
    expect(countSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(countSegments(`${'a'.repeat(152)}[${'a'.repeat(10)}`)).toMatchObject({ segments: 2, units: 164 });
    expect(countSegments(`${'a'.repeat(152)}[${'a'.repeat(153)}`).segments).toBe(3);
  });

  it('Welsh ŵ and ŷ force UCS-2: 70 in one segment, 67 after', () => {
    expect(countSegments('Diolch am eich neges am y ffŵr').encoding).toBe('UCS-2');
    expect(countSegments('Cyngor Cymuned Llanŷ').encoding).toBe('UCS-2');
    expect(countSegments('ŵ'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(countSegments('ŵ'.repeat(71)).segments).toBe(2);
    expect(countSegments('ŵ'.repeat(134)).segments).toBe(2);
    expect(countSegments('ŵ'.repeat(135)).segments).toBe(3);
    // A curly apostrophe is enough to turn a whole text into UCS-2.
    expect(countSegments('Council’s reply').encoding).toBe('UCS-2');
  });
});

describe('the consent SMS', () => {
  // A real API Gateway URL is long; the short token keeps the whole text within two segments.
  const base = 'https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com';
  const sms = (ref: string): InboundItem => ({
    schemaVersion: 1,
    itemId: 'twilio:SM1',
    channel: 'sms',
    provider: 'twilio',
    kind: 'sms',
    providerMessageId: 'SM1',
    receivedAt: '2026-03-10T10:00:00.000Z',
    sender: { id: '+447700900555' },
    recipients: ['+447700900101'],
    text: ref,
    attachments: [],
    thread: {},
    transport: {},
  });
  const consentSms = (policy: Policy, ref: string, url: string, reminder?: boolean) =>
    composeConsentRequest({
      target: replyTargetFor(sms(ref))!,
      policy,
      ref,
      consentUrl: url,
      expiresAt: '2026-04-07T10:00:00.000Z',
      createdAt: '2026-03-10T10:00:00.000Z',
      reminder,
    });

  for (const name of PRESET_NAMES) {
    it(`${name}: request and reminder are at most 2 segments, with the link and its expiry date`, () => {
      const policy = loadPolicy(name);
      const ref = `${policy.council.referencePrefix}-2026-000123`;
      const url = `${base}/consent/${signConsentToken({ council: policy.council.id, ref, exp: 1_775_556_000 }, 'k')}`;
      for (const reminder of [false, true]) {
        const message = consentSms(policy, ref, url, reminder);
        expect(message.text).toContain(url);
        expect(message.text).toContain(ref);
        expect(message.text).toContain('7 Apr 2026');
        expect(countSegments(message.text).segments).toBeLessThanOrEqual(MAX_CONSENT_SMS_SEGMENTS);
      }
    });
  }

  it('a council name that forces UCS-2 still gets a 2-segment text (the hub falls back to its shortest wording)', () => {
    const base0 = loadPolicy('stilton');
    const policy = { ...base0, council: { ...base0.council, name: 'Cyngor Cymuned Llanfihangel-ŷ-Creuddyn' } };
    const ref = 'STL-2026-000123';
    const url = `${base}/consent/${signConsentToken({ council: 'stilton', ref, exp: 1_775_556_000 }, 'k')}`;
    const message = consentSms(policy, ref, url);
    expect(message.text).toContain(url);
    expect(countSegments(message.text).segments).toBeLessThanOrEqual(2);
  });
});
