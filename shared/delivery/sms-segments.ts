/**
 * SMS segment counting (3GPP TS 23.038 / 23.040). A message in the GSM 7-bit
 * default alphabet fits 160 characters in one segment, 153 per segment when
 * concatenated (the UDH takes 7); characters of the extension table (`{ } [ ] ~
 * \ | ^ €` and form feed) take two. Anything else forces UCS-2: 70 code units in
 * one segment, 67 when concatenated (characters outside the BMP take two).
 *
 * Issue 12 adds outbound SMS budgets and may bring its own counter; this module
 * is small and self-contained so the two can be merged into one.
 */

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';
const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENDED);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  readonly encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  readonly units: number;
  readonly segments: number;
}

export function countSegments(text: string): SegmentCount {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (BASIC.has(ch)) septets += 1;
    else if (EXTENDED.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'GSM-7', units: septets, segments: septets === 0 ? 1 : septets <= 160 ? 1 : Math.ceil(septets / 153) };
  const units = text.length; // UTF-16 code units, as UCS-2 counts them
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/** Twilio's advice: at most 10 segments per message, or delivery gets unreliable. */
export const MAX_SEGMENTS_PER_MESSAGE = 10;

/**
 * Splits text into messages of at most `maxSegments` segments each, at word
 * boundaries where possible, numbering them `(1/3) …` when there is more than
 * one. Returns the parts and their total segment count.
 */
export function splitSms(text: string, maxSegments = MAX_SEGMENTS_PER_MESSAGE): { parts: string[]; segments: number } {
  const clean = text.trim();
  if (countSegments(clean).segments <= maxSegments) return { parts: [clean], segments: countSegments(clean).segments };
  // Leave room for the "(nn/nn) " marker (8 characters) in every part.
  const fits = (s: string) => countSegments(`(99/99) ${s}`).segments <= maxSegments;
  const chunks: string[] = [];
  let rest = clean;
  while (rest) {
    if (fits(rest)) {
      chunks.push(rest);
      break;
    }
    let lo = 1;
    let hi = rest.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(rest.slice(0, mid))) lo = mid;
      else hi = mid - 1;
    }
    const space = rest.lastIndexOf(' ', lo);
    const cut = space > lo / 2 ? space : lo;
    chunks.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  const parts = chunks.map((c, i) => `(${i + 1}/${chunks.length}) ${c}`);
  return { parts, segments: parts.reduce((n, p) => n + countSegments(p).segments, 0) };
}
