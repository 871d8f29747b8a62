import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CaseCommand } from '../answers/clerk-mail.ts';

/**
 * Signed links in the routing email that change a case (`/cases/{token}`):
 * base64url({c: council, r: ref, a: command, e: expiry}) + "." + HMAC. The
 * link is the key, as with the consent link; opening it (GET) only shows a
 * confirm button, so a mail scanner that follows links changes nothing; the
 * POST applies the command. No personal data in the token.
 */

export const LINK_COMMANDS = ['close', 'foi', 'sar', 'complaint', 'not-foi', 'extend'] as const satisfies readonly CaseCommand[];
export type LinkCommand = (typeof LINK_COMMANDS)[number];
export const CASE_LINK_DAYS = 90;

export interface CaseLinkClaims {
  readonly council: string;
  readonly ref: string;
  readonly command: LinkCommand;
  /** Epoch seconds. */
  readonly exp: number;
}

export function signCaseLink(claims: CaseLinkClaims, key: string): string {
  const payload = Buffer.from(JSON.stringify({ c: claims.council, r: claims.ref, a: claims.command, e: claims.exp })).toString('base64url');
  return `${payload}.${mac(payload, key)}`;
}

export function verifyCaseLink(
  token: string,
  key: string,
  now: Date,
): { ok: true; claims: CaseLinkClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' } {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || token.length > 512) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(payload, key));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  let decoded: { c?: unknown; r?: unknown; a?: unknown; e?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof decoded;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const { c, r, a, e } = decoded ?? {};
  if (typeof c !== 'string' || typeof r !== 'string' || typeof e !== 'number' || !(LINK_COMMANDS as readonly unknown[]).includes(a))
    return { ok: false, reason: 'malformed' };
  if (now.getTime() / 1000 >= e) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { council: c, ref: r, command: a as LinkCommand, exp: e } };
}

/** The routing email's lines of links, one per command. */
export function caseLinkLines(input: { council: string; ref: string; key: string; baseUrl: string; now: Date }): string[] {
  const exp = Math.floor(input.now.getTime() / 1000) + CASE_LINK_DAYS * 86_400;
  const base = input.baseUrl.replace(/\/+$/, '');
  const label: Record<LinkCommand, string> = {
    close: 'Close the case',
    foi: 'Treat as FOI/EIR',
    sar: 'Treat as a subject access request',
    complaint: 'Treat as a complaint',
    'not-foi': 'No statutory clock',
    extend: 'Extend the deadline',
  };
  return LINK_COMMANDS.map(
    (command) => `${label[command]}: ${base}/cases/${signCaseLink({ council: input.council, ref: input.ref, command, exp }, input.key)}`,
  );
}

function mac(payload: string, key: string): string {
  return createHmac('sha256', key).update(`hub-case-link:v1\u0000${payload}`).digest('base64url');
}
