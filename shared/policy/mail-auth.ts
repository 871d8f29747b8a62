import type { InboundItem } from '../model/inbound-item.ts';

/**
 * Which address of an email, if any, the provider's verdicts authenticate
 * (pure; SES verdicts in AWS, the Authentication-Results header locally).
 *
 * - SPF PASS authenticates the envelope sender (RFC 7208): automatic mail may go there.
 * - DMARC PASS authenticates the header From (RFC 7489 §3.1: SPF or DKIM aligned with it).
 * - DMARC FAIL, SPF FAIL (SES reports softfail as FAIL too) or a DKIM signature that
 *   fails, with no aligned pass, is "unverified": the item is held for the clerk and
 *   nothing at all is sent back, since the address is most likely forged
 *   (backscatter would carry the council's DKIM signature to a stranger).
 * - No verdict either way (GRAY, NONE, PROCESSING_FAILED, or no check) is
 *   "unauthenticated": routed as usual, but never answered automatically.
 *
 * DKIM PASS alone is not enough: SES does not say which domain signed, so
 * alignment with the From is only known through the DMARC verdict.
 */
export type MailAuth =
  | { readonly status: 'authenticated'; readonly via: 'spf' | 'dmarc'; readonly address: string }
  | { readonly status: 'unverified' | 'unauthenticated'; readonly verdicts: string };

export function mailAuth(item: InboundItem): MailAuth {
  const t = item.transport;
  const verdicts = `SPF ${t.spf ?? 'none'}, DKIM ${t.dkim ?? 'none'}, DMARC ${t.dmarc ?? 'none'}`;
  if (t.dmarc === 'FAIL') return { status: 'unverified', verdicts };
  const envelope = (t.returnPath ?? '').trim().toLowerCase();
  if (t.spf === 'PASS' && envelope.includes('@')) return { status: 'authenticated', via: 'spf', address: envelope };
  const from = (item.headerFrom?.id ?? item.sender.id).trim().toLowerCase();
  if (t.dmarc === 'PASS' && from.includes('@')) return { status: 'authenticated', via: 'dmarc', address: from };
  if (t.spf === 'FAIL' || t.dkim === 'FAIL') return { status: 'unverified', verdicts };
  return { status: 'unauthenticated', verdicts };
}

/** The authenticated address automatic replies may go to, or undefined (then nothing is sent). */
export function authenticatedAddress(item: InboundItem): string | undefined {
  const auth = mailAuth(item);
  return auth.status === 'authenticated' ? auth.address : undefined;
}
