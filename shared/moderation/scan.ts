import PATTERN_LITERALS from './pattern-literals.json' with { type: 'json' };

/**
 * The small pattern engine of the rules tier: a pattern is a regular
 * expression plus the context that cancels it (a negation before it, a
 * question after it, the resident's own details).
 */

/** What a scan needs of a regular expression: a RegExp, or one compiled on first use (`g`, `ctx`). */
export interface Matcher {
  /** As written (apostrophes widened); a RegExp's own `source` may escape more. */
  readonly source: string;
  readonly flags: string;
  lastIndex: number;
  exec(text: string): RegExpExecArray | null;
  test(text: string): boolean;
}

/**
 * A regular expression compiled when it first runs. Most patterns only run
 * when their words are in the text (see PatternSet), and the contexts only
 * after a match, so most of the rules tier's ~140 expressions never run on a
 * given item; compiling them all at import cost every cold start about a
 * millisecond.
 */
class LazyRegExp implements Matcher {
  readonly source: string;
  readonly flags: string;
  #compiled: RegExp | undefined;
  constructor(source: string, flags: string) {
    this.source = source;
    this.flags = flags;
  }
  compiled(): RegExp {
    this.#compiled ??= new RegExp(this.source, this.flags);
    return this.#compiled;
  }
  get lastIndex(): number {
    return this.compiled().lastIndex;
  }
  set lastIndex(index: number) {
    this.compiled().lastIndex = index;
  }
  exec(text: string): RegExpExecArray | null {
    return this.compiled().exec(text);
  }
  test(text: string): boolean {
    return this.compiled().test(text);
  }
}

export interface Pattern {
  /** Global, case-insensitive; `lastIndex` is reset before each use. */
  readonly re: Matcher;
  /** Skip a match whose preceding text in the same sentence (up to 80 chars) matches this. */
  readonly unlessBefore?: Matcher;
  /** Skip a match whose following text in the same sentence (up to 80 chars) matches this. */
  readonly unlessAfter?: Matcher;
  /** Skip a match whose whole sentence matches this. */
  readonly unlessSentence?: Matcher;
  /** Only a match whose whole sentence also matches this counts. */
  readonly onlyIfSentence?: Matcher;
  /** Weak signals do not flag on their own; they mark the item as one the rules are unsure about. */
  readonly weak?: boolean;
}

/** Residents type both ' and ’; every apostrophe in a pattern accepts either. */
const apostrophes = (source: string): string => source.replaceAll("'", "['\u2019]");
export const g = (source: string): Matcher => new LazyRegExp(apostrophes(source), 'gi');
export const ctx = (source: string): Matcher => new LazyRegExp(apostrophes(source), 'i');
/** For an expression that runs on every text: compiled at import, not on the first item. */
export const eager = (matcher: Matcher): RegExp => (matcher instanceof LazyRegExp ? matcher.compiled() : (matcher as RegExp));

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
 * pattern-literals.json under the pattern's source (`npm run gen:moderation`).
 * `needs` tests for a pattern's words in the lower-cased text and `needed` for
 * those of the whole set, so a text without them costs one pass, and a
 * pattern whose words are missing is not run. A pattern with no entry there
 * (edited since, or with no such word) is always run.
 */
export interface PatternSet {
  readonly patterns: readonly Pattern[];
  readonly needs: readonly (Matcher | undefined)[];
  /** The union of `needs`, when every pattern has one. */
  readonly needed: RegExp | undefined;
}

const NEEDS: Readonly<Record<string, string>> = PATTERN_LITERALS.needs;
const built: PatternSet[] = [];

export function patternSet(patterns: readonly Pattern[]): PatternSet {
  const words = patterns.map((p) => (Object.hasOwn(NEEDS, p.re.source) ? NEEDS[p.re.source] : undefined));
  // A pattern without words runs on every text, and `needed` is tested on every text: compiled now, not on the first item.
  for (const [i, p] of patterns.entries()) if (words[i] === undefined) eager(p.re);
  const set = {
    patterns,
    needs: words.map((w) => (w === undefined ? undefined : new LazyRegExp(w, ''))),
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
