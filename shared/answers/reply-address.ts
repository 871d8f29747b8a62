import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The per-item Reply-To of a clerk routing email: `reply+<ref>-<sig>@<mail
 * domain>`, e.g. `reply+stl-2026-000042-4f1c9a0b2d7e6c5a8b3f@notify.example.org`.
 * The signature is an HMAC over the council and the reference, so nobody can
 * make up an address for another item; it proves only which item an answer
 * belongs to, never who wrote it (that is the sender check: an official
 * address with DMARC pass). Lower case throughout, because mail systems are
 * free to change the case of a local part.
 */

const PREFIX = 'reply+';
/** 80 bits: guessing one is out of reach, and the local part stays well under 64 characters. */
const SIG_HEX = 20;
const LOCAL_PART = /^reply\+([a-z]{2,5}-\d{4}-\d{6})-([0-9a-f]{20})$/;

export function replyAddress(council: string, ref: string, domain: string, key: string): string {
  const lower = ref.toLowerCase();
  return `${PREFIX}${lower}-${signature(council, lower, key)}@${domain.toLowerCase()}`;
}

/** The reference an address stands for, or undefined when it is not one of ours or its signature is wrong. */
export function verifyReplyAddress(address: string, council: string, domain: string, key: string): string | undefined {
  const clean = address.trim().replace(/^<|>$/g, '').toLowerCase();
  const at = clean.lastIndexOf('@');
  if (at < 0 || clean.slice(at + 1) !== domain.toLowerCase()) return undefined;
  const match = LOCAL_PART.exec(clean.slice(0, at));
  if (!match) return undefined;
  const [, ref, given] = match as unknown as [string, string, string];
  const expected = Buffer.from(signature(council, ref, key));
  if (!timingSafeEqual(expected, Buffer.from(given))) return undefined;
  return ref.toUpperCase();
}

/** True when the address has the reply-address shape at our domain (signed or not): mail to it is never ordinary correspondence. */
export function looksLikeReplyAddress(address: string, domain: string): boolean {
  const clean = address.trim().replace(/^<|>$/g, '').toLowerCase();
  return clean.startsWith(PREFIX) && clean.endsWith(`@${domain.toLowerCase()}`);
}

/** The hub's mail domain: where SES receives for it (the receipt rule's recipient) and where it sends from. */
export function mailDomainOf(hubAddress: string): string {
  return hubAddress.slice(hubAddress.lastIndexOf('@') + 1).toLowerCase();
}

function signature(council: string, lowerRef: string, key: string): string {
  // Domain-separated from the consent-link MAC, which uses the same secret.
  return createHmac('sha256', key).update(`hub-reply-address:v1\u0000${council}\u0000${lowerRef}`).digest('hex').slice(0, SIG_HEX);
}
