import { unpackCodePoints } from './code-points.ts';
import TERMS from './obscene-terms.json' with { type: 'json' };

/**
 * The profanity matcher of the rules tier: obscenity's RegExpMatcher
 * (`getAllMatches(text, true)`) with its English dataset and recommended
 * transformers, on data built ahead of time (shared/moderation/obscene-terms.json,
 * `npm run gen:moderation`), so no Lambda parses obscenity's dataset at
 * import. It gives the same matches as the library, in the same order
 * (test/unit/moderation-obscene-matcher.test.ts compares the two on random
 * text), and answers the common case, no term anywhere, with one pass of
 * one regular expression.
 */

/** A transformer chain as data: one-to-one character maps, then obscenity's collapse of repeated characters. */
export interface TransformSpec {
  /**
   * The composed maps (confusables, leetspeak, ASCII lower case): each code
   * point in `from`, sorted, maps to the one at the same place in `to`; others
   * map to themselves. Both are packed code points (code-points.ts): 2,900
   * pairs as array literals cost a cold start about a millisecond to parse
   * and allocate, two strings almost nothing.
   */
  readonly charMap: { readonly from: string; readonly to: string };
  /** A run of one (mapped) character keeps at most this many; null keeps all. */
  readonly collapseDefault: number | null;
  /** [code point, how many a run keeps] where that differs from the default. */
  readonly collapseCustom: readonly (readonly number[])[];
}

export interface ObsceneTerms {
  readonly generatedFrom: string;
  /** Each blacklisted pattern as obscenity compiles it, with its term id. */
  readonly blacklist: readonly { readonly id: number; readonly source: string }[];
  /** The flags obscenity compiles every pattern with. */
  readonly flags: string;
  readonly whitelist: readonly string[];
  readonly blacklistTransform: TransformSpec;
  readonly whitelistTransform: TransformSpec;
}

/** As obscenity reports it: `endIndex` is inclusive, and both index the original text. */
export interface ObsceneMatch {
  readonly termId: number;
  readonly startIndex: number;
  readonly endIndex: number;
}

interface Transformed {
  readonly text: string;
  /** For each UTF-16 unit of `text`, where its character starts in the input. */
  readonly origin: Int32Array;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * The composed character maps: sorted typed arrays and a binary search,
 * because building a Map of its ~2,900 entries costs a millisecond at every
 * cold start.
 */
function charMapper(packed: TransformSpec['charMap']): (c: number) => number {
  const from = unpackCodePoints(packed.from);
  const to = unpackCodePoints(packed.to);
  const find = (c: number): number => {
    let lo = 0;
    let hi = from.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (from[mid] === c) return to[mid]!;
      if (from[mid]! < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return c;
  };
  const ascii = new Int32Array(128);
  for (let c = 0; c < 128; c++) ascii[c] = find(c);
  return (c) => (c < 128 ? ascii[c]! : find(c));
}

/** One transformer chain, applied character by character as obscenity's TransformerSet does. */
function transformer(spec: TransformSpec): (input: string) => Transformed {
  const map = charMapper(spec.charMap);
  const keep = new Map(spec.collapseCustom.map(([c, n]) => [c!, n!]));
  const keepDefault = spec.collapseDefault ?? Number.POSITIVE_INFINITY;
  return (input) => {
    const units: number[] = [];
    const origin = new Int32Array(input.length * 2);
    let last = -1;
    let remaining = -1;
    for (let i = 0; i < input.length; i++) {
      const at = i;
      let c = input.charCodeAt(i);
      if (isHigh(c) && i + 1 < input.length && isLow(input.charCodeAt(i + 1))) c = (c - 0xd800) * 0x400 + (input.charCodeAt(++i) - 0xdc00) + 0x10000;
      c = map(c);
      if (c === last) {
        if (remaining-- <= 0) continue;
      } else {
        const threshold = keep.get(c) ?? keepDefault;
        remaining = threshold - 1;
        last = c;
        if (threshold <= 0) continue;
      }
      if (c > 0xffff) {
        origin[units.length] = at;
        units.push(((c - 0x10000) >> 10) + 0xd800);
        c = ((c - 0x10000) & 0x3ff) + 0xdc00;
      }
      origin[units.length] = at;
      units.push(c);
    }
    return { text: fromUnits(units), origin };
  };
}

function fromUnits(units: readonly number[]): string {
  let text = '';
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.slice(i, i + 8192));
  return text;
}

const data = TERMS as ObsceneTerms;
const blacklistTransform = transformer(data.blacklistTransform);
const whitelistTransform = transformer(data.whitelistTransform);
const terms = data.blacklist.map((t) => ({ id: t.id, re: new RegExp(t.source, data.flags) }));
/** Some term matches somewhere iff this does: every term has the same flags, so the alternation changes nothing else. */
const anyTerm = new RegExp(data.blacklist.map((t) => `(?:${t.source})`).join('|'), data.flags.replace('g', ''));

/** obscenity widens an end that falls on the first half of a surrogate pair to the whole pair. */
function inclusiveEnd(input: string, end: number): number {
  return end < input.length - 1 && isHigh(input.charCodeAt(end)) && isLow(input.charCodeAt(end + 1)) ? end + 1 : end;
}

function whitelistedSpans(input: string): [number, number][] {
  const spans: [number, number][] = [];
  const { text, origin } = whitelistTransform(input);
  for (const term of data.whitelist) {
    for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + term.length)) {
      spans.push([origin[at]!, inclusiveEnd(input, origin[at + term.length - 1]!)]);
    }
  }
  return spans;
}

/** Every blacklisted term in `input` that no whitelisted term covers, by position then term id. */
export function obsceneMatches(input: string): ObsceneMatch[] {
  const { text, origin } = blacklistTransform(input);
  if (!anyTerm.test(text)) return [];
  const whitelisted = whitelistedSpans(input);
  const matches: ObsceneMatch[] = [];
  for (const term of terms) {
    for (const m of text.matchAll(term.re)) {
      const startIndex = origin[m.index]!;
      const endIndex = inclusiveEnd(input, origin[m.index + m[0].length - 1]!);
      if (!whitelisted.some(([lo, hi]) => lo <= startIndex && endIndex <= hi)) matches.push({ termId: term.id, startIndex, endIndex });
    }
  }
  return matches.sort((a, b) => a.startIndex - b.startIndex || a.endIndex - b.endIndex || a.termId - b.termId);
}
