import { createHash } from 'node:crypto';
import PATTERN_LITERALS from './pattern-literals.json' with { type: 'json' };

/**
 * The small pattern engine of the rules tier: a pattern is a regular
 * expression plus the context that cancels it (a negation before it, a
 * question after it, the resident's own details). Patterns are compiled once
 * at module load; a scan only runs them.
 */

export interface Pattern {
  /** Global, case-insensitive; `lastIndex` is reset before each use. */
  readonly re: RegExp;
  /** Skip a match whose preceding text in the same sentence (up to 80 chars) matches this. */
  readonly unlessBefore?: RegExp;
  /** Skip a match whose following text in the same sentence (up to 80 chars) matches this. */
  readonly unlessAfter?: RegExp;
  /** Skip a match whose whole sentence matches this. */
  readonly unlessSentence?: RegExp;
  /** Only a match whose whole sentence also matches this counts. */
  readonly onlyIfSentence?: RegExp;
  /** Weak signals do not flag on their own; they mark the item as one the rules are unsure about. */
  readonly weak?: boolean;
}

/** Residents type both ' and ’; every apostrophe in a pattern accepts either. */
const apostrophes = (source: string): string => source.replaceAll("'", "['\u2019]");
export const g = (source: string): RegExp => new RegExp(apostrophes(source), 'gi');
export const ctx = (source: string): RegExp => new RegExp(apostrophes(source), 'i');

const SENTENCE_END = /[.!?\n]/u;
const WINDOW = 80;
const MAX_EXCERPT = 60;

export function sentenceBefore(text: string, index: number): string {
  const chunk = text.slice(Math.max(0, index - WINDOW), index);
  for (let i = chunk.length - 1; i >= 0; i--) {
    if (SENTENCE_END.test(chunk[i]!)) return chunk.slice(i + 1);
  }
  return chunk;
}

export function sentenceAfter(text: string, index: number): string {
  return text.slice(index, index + WINDOW).split(SENTENCE_END)[0] ?? '';
}

/** The sentence around a match, for patterns that need all of it ("…?" after an allegation makes it a question). */
export function sentenceAround(text: string, index: number, length: number): string {
  return sentenceBefore(text, index) + text.slice(index, index + length) + sentenceAfter(text, index + length);
}

export function excerpt(match: string): string {
  const s = match.replace(/\s+/gu, ' ').trim();
  return s.length <= MAX_EXCERPT ? s : `${s.slice(0, MAX_EXCERPT - 1)}\u2026`;
}

export interface ScanResult {
  readonly evidence: string[];
  /** Some weak pattern matched. */
  readonly weak: boolean;
}

/**
 * Patterns scanned together. Most patterns cannot match without one of a few
 * words, found ahead of time by infra/build/required-literals.ts and kept in
 * pattern-literals.json under a hash of the pattern's source (`npm run gen:moderation`).
 * `needs` tests for a pattern's words in the lower-cased text and `needed` for
 * those of the whole set, so a text without them costs one pass, and a
 * pattern whose words are missing is not run. A pattern with no entry there
 * (edited since, or with no such word) is always run.
 */
export interface PatternSet {
  readonly patterns: readonly Pattern[];
  readonly needs: readonly (RegExp | undefined)[];
  /** The union of `needs`, when every pattern has one. */
  readonly needed: RegExp | undefined;
}

const NEEDS: Readonly<Record<string, string>> = PATTERN_LITERALS.needs;
const built: PatternSet[] = [];

/**
 * A pattern's key in pattern-literals.json: the first 32 bits (hex) of the
 * SHA-1 of its source. Keying by the source itself put 35 KB of pattern text
 * into classify's cold start a second time; an edited pattern still finds no
 * entry (and so always runs), and the generator refuses a collision. Node's
 * native hash, because a hash written in JavaScript runs uncompiled at a cold
 * start (FNV-1a over the 33 KB of sources took about 2 ms of CPU; this about 1).
 */
export function sourceKey(source: string): string {
  return createHash('sha1').update(source).digest('hex').slice(0, 8);
}

export function patternSet(patterns: readonly Pattern[]): PatternSet {
  const words = patterns.map((p) => NEEDS[sourceKey(p.re.source)]);
  const set = {
    patterns,
    needs: words.map((w) => (w === undefined ? undefined : new RegExp(w))),
    needed: words.every((w) => w !== undefined) ? new RegExp(words.join('|')) : undefined,
  };
  built.push(set);
  return set;
}

/** Every pattern set the loaded modules built, for infra/build/pattern-literals.ts. */
export function allPatternSets(): readonly PatternSet[] {
  return built;
}

export function scan(text: string, set: PatternSet, maxEvidence = 3): ScanResult {
  const evidence: string[] = [];
  let weak = false;
  const lower = text.toLowerCase();
  if (set.needed?.test(lower) === false) return { evidence, weak };
  for (let i = 0; i < set.patterns.length; i++) {
    if (set.needs[i]?.test(lower) === false) continue;
    const p = set.patterns[i]!;
    p.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = p.re.exec(text)) !== null) {
      if (m[0].length === 0) {
        p.re.lastIndex++;
        continue;
      }
      if (!accepted(text, p, m.index, m[0].length)) continue;
      if (p.weak) {
        weak = true;
        continue;
      }
      addEvidence(evidence, excerpt(m[0]));
      if (evidence.length >= maxEvidence) return { evidence, weak };
    }
  }
  return { evidence, weak };
}

/** Adds an excerpt unless a longer one already covers it; a longer one replaces those it covers. */
export function addEvidence(evidence: string[], e: string): void {
  const lower = e.toLowerCase();
  if (evidence.some((x) => x.toLowerCase().includes(lower))) return;
  for (let i = evidence.length - 1; i >= 0; i--) if (lower.includes(evidence[i]!.toLowerCase())) evidence.splice(i, 1);
  evidence.push(e);
}

function accepted(text: string, p: Pattern, at: number, length: number): boolean {
  if (p.unlessBefore?.test(sentenceBefore(text, at))) return false;
  if (p.unlessAfter?.test(sentenceAfter(text, at + length))) return false;
  if (p.unlessSentence || p.onlyIfSentence) {
    const sentence = sentenceAround(text, at, length);
    if (p.unlessSentence?.test(sentence)) return false;
    if (p.onlyIfSentence && !p.onlyIfSentence.test(sentence)) return false;
  }
  return true;
}
