import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ATTACK, BREACH, CHATTER, COMMERCIAL, LIBEL, PARISH_TOPIC, PLAGIARISED } from '../../shared/moderation/patterns.ts';
import '../../shared/moderation/rules.ts';
import { allPatternSets, g, patternSet, scan, type Matcher, type Pattern, type PatternSet } from '../../shared/moderation/scan.ts';
import { loadCorpus } from '../../test/support/corpus.ts';

/** The dev set and the labelled corpus: texts that flag, nearly flag and do not flag. */
const texts = [
  ...(JSON.parse(readFileSync(new URL('../fixtures/moderation-eval/dev.json', import.meta.url), 'utf8')) as { text: string }[]).map((e) => e.text),
  ...loadCorpus().flatMap((c) => (c.entry.text ? [c.entry.text] : [])),
];
const SETS: [string, PatternSet][] = Object.entries({ ATTACK, BREACH, CHATTER, COMMERCIAL, LIBEL, PLAGIARISED });

describe('pattern sets: one pass for the text none of them can touch', () => {
  it.each(SETS)('%s: a text the set skips is one none of its patterns matches', (_, set) => {
    let skipped = 0;
    for (const t of texts) {
      if (set.needed?.test(t.toLowerCase()) !== false) continue;
      skipped++;
      for (const p of set.patterns) expect(new RegExp(p.re.source, p.re.flags.replace('g', '')).test(t)).toBe(false);
    }
    expect(skipped).toBeGreaterThan(0);
  });

  it('runs a pattern that has no required words on every text, and finds what each pattern finds', () => {
    const set = patternSet([{ re: g(String.raw`\bfoo|bar\b`) }, { re: g(String.raw`\bbaz\b`) }]);
    expect(set.needs).toEqual([undefined, undefined]);
    expect(scan('a baz', set).evidence).toEqual(['baz']);
    expect(scan('foo', set).evidence).toEqual(['foo']);
    expect(scan('nothing here', set)).toEqual({ evidence: [], weak: false });
  });
});

describe('expressions compiled when they first run (g, ctx)', () => {
  const contexts = (p: Pattern) => [p.unlessBefore, p.unlessAfter, p.unlessSentence, p.onlyIfSentence];

  it("all compile: a syntax error no longer fails the import, so it must fail here rather than on a resident's item", () => {
    const matchers = [PARISH_TOPIC, ...allPatternSets().flatMap((set) => [...set.patterns.flatMap((p) => [p.re, ...contexts(p)]), ...set.needs])];
    const defined = matchers.filter((m): m is Matcher => m !== undefined);
    expect(defined.length).toBeGreaterThan(100);
    for (const m of defined) expect(() => m.test(''), m.source.slice(0, 60)).not.toThrow();
  });

  it.each(SETS)('%s finds on every text exactly what the same patterns as RegExps find', (_, set) => {
    const compiled = (m: Matcher | undefined) => (m === undefined ? undefined : new RegExp(m.source, m.flags));
    const asRegExps: PatternSet = {
      ...set,
      patterns: set.patterns.map((p) => ({
        ...p,
        re: compiled(p.re)!,
        unlessBefore: compiled(p.unlessBefore),
        unlessAfter: compiled(p.unlessAfter),
        unlessSentence: compiled(p.unlessSentence),
        onlyIfSentence: compiled(p.onlyIfSentence),
      })),
    };
    let found = 0;
    // The same set over every text in turn, as a warm function runs it: lastIndex carries from one text to the next.
    for (const t of texts) {
      const result = scan(t, set);
      found += result.evidence.length;
      expect(result, t.slice(0, 60)).toEqual(scan(t, asRegExps));
    }
    expect(found).toBeGreaterThan(0);
  });
});
