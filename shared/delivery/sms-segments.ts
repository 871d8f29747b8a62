/**
 * SMS segment counting (3GPP TS 23.038 / 23.040). Carriers bill per segment.
 *
 * A text that fits the GSM 7-bit default alphabet is sent as GSM-7: 160
 * septets in one segment, 153 per segment when concatenated (the user data
 * header takes 7); characters of the extension table (`{ } [ ] ~ \ | ^`, the
 * euro sign and form feed) take two septets and never straddle two segments.
 * Anything else (Welsh w and y with a circumflex, U+0175 and U+0177; curly
 * quotes; emoji) makes the whole text UCS-2: 70 UTF-16 units in one segment,
 * 67 when concatenated, and a surrogate pair is never split.
 */

const GSM_BASIC =
  '@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u001b\u00c6\u00e6\u00df\u00c9' +
  ' !"#\u00a4%&\'()*+,-./0123456789:;<=>?\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0';
const GSM_EXTENDED = '^{}\\[~]|\u20ac\f';
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
  const chars = [...text];
  if (chars.every((c) => BASIC.has(c) || EXTENDED.has(c))) {
    return {
      encoding: 'GSM-7',
      ...pack(
        chars.map((c) => (EXTENDED.has(c) ? 2 : 1)),
        160,
        153,
      ),
    };
  }
  return {
    encoding: 'UCS-2',
    ...pack(
      chars.map((c) => c.length),
      70,
      67,
    ),
  };
}

/** Units per character packed into segments, never splitting a character. */
function pack(sizes: readonly number[], single: number, multi: number): { units: number; segments: number } {
  const units = sizes.reduce((a, b) => a + b, 0);
  if (units <= single) return { units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > multi) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { units, segments };
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
