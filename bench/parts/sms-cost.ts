import type { InboundItem } from '../../shared/model/index.ts';
import { countSegments } from '../../shared/delivery/sms-segments.ts';
import { composeConsentRequest, replyTargetFor } from '../../shared/pipeline/compose.ts';
import { signConsentToken } from '../../shared/pipeline/consent-token.ts';
import { loadPolicy, PRESET_NAMES } from '../../shared/policy/load.ts';
import { renderText } from '../../shared/policy/texts.ts';

/**
 * What each SMS the hub sends costs, by segment (carriers bill per segment:
 * shared/delivery/sms-segments.ts). Prices are per segment to a UK mobile and
 * are assumptions to check against the current price lists, not measurements.
 */
export const SMS_PRICES_PER_SEGMENT = {
  /** AWS End User Messaging SMS, United Kingdom, transactional (public price list; varies with carrier fees). */
  endUserMessaging: 0.0463,
  /** Twilio, United Kingdom, outbound SMS (public price list). */
  twilio: 0.0524,
} as const;

export interface SmsCostRow {
  readonly council: string;
  readonly text: 'not-official-contact' | 'consent-request' | 'consent-reminder';
  readonly chars: number;
  readonly encoding: 'GSM-7' | 'UCS-2';
  readonly segments: number;
  readonly usdEndUserMessaging: number;
  readonly usdTwilio: number;
}

/** A realistic link: the execute-api address (no custom domain) and a short token. */
const BASE = 'https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com';

export function smsCosts(): SmsCostRow[] {
  const rows: SmsCostRow[] = [];
  for (const name of PRESET_NAMES) {
    const policy = loadPolicy(name);
    const ref = `${policy.council.referencePrefix}-2026-000123`;
    const url = `${BASE}/consent/${signConsentToken({ council: policy.council.id, ref, exp: 1_775_556_000 }, 'bench')}`;
    const item = {
      itemId: 'twilio:SMbench',
      channel: 'sms',
      provider: 'twilio',
      sender: { id: '+447700900555' },
      recipients: ['+447700900101'],
    } as InboundItem;
    const consent = (reminder: boolean) =>
      composeConsentRequest({
        target: replyTargetFor(item)!,
        policy,
        ref,
        consentUrl: url,
        expiresAt: '2026-04-07T10:00:00.000Z',
        createdAt: '2026-03-10T10:00:00.000Z',
        reminder,
      }).text;
    const texts = {
      'not-official-contact': renderText(policy, 'notOfficialContact', {}, 'sms'),
      'consent-request': consent(false),
      'consent-reminder': consent(true),
    };
    for (const [kind, text] of Object.entries(texts) as [SmsCostRow['text'], string][]) {
      const s = countSegments(text);
      rows.push({
        council: name,
        text: kind,
        chars: [...text].length,
        encoding: s.encoding,
        segments: s.segments,
        usdEndUserMessaging: round4(s.segments * SMS_PRICES_PER_SEGMENT.endUserMessaging),
        usdTwilio: round4(s.segments * SMS_PRICES_PER_SEGMENT.twilio),
      });
    }
  }
  return rows;
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
