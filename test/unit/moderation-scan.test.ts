import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ATTACK, BREACH, CHATTER, COMMERCIAL, LIBEL, PLAGIARISED } from '../../shared/moderation/patterns.ts';
import { g, patternSet, scan, type PatternSet } from '../../shared/moderation/scan.ts';
import { loadCorpus } from '../../test/support/corpus.ts';

/** The dev set and the labelled corpus: texts that flag, nearly flag and do not flag. */
const texts = [
  ...(JSON.parse(readFileSync(new URL('../fixtures/moderation-eval/dev.json', import.meta.url), 'utf8')) as { text: string }[]).map((e) => e.text),
  ...loadCorpus().flatMap((c) => (c.entry.text ? [c.entry.text] : [])),
];
const SETS: [string, PatternSet][] = Object.entries({ ATTACK, BREACH, CHATTER, COMMERCIAL, LIBEL, PLAGIARISED });

describe('pattern sets: one pass for the text none of them touches', () => {
  it.each(SETS)('%s: the combined pass matches exactly where one of its patterns does', (_, set) => {
    let touched = 0;
    for (const t of texts) {
      const some = set.patterns.some((p) => new RegExp(p.re.source, p.re.flags.replace('g', '')).test(t));
      expect(set.any.test(t)).toBe(some);
      if (some) touched++;
    }
    expect(touched).toBeGreaterThan(0);
  });

  it('keeps a pattern whose own alternation would otherwise swallow its neighbours', () => {
    const set = patternSet([{ re: g(String.raw`\bfoo|bar\b`) }, { re: g(String.raw`\bbaz\b`) }]);
    expect(scan('a baz', set).evidence).toEqual(['baz']);
    expect(scan('foo', set).evidence).toEqual(['foo']);
    expect(scan('nothing here', set)).toEqual({ evidence: [], weak: false });
  });

  it('refuses patterns with different flags, which one alternation cannot combine', () => {
    expect(() => patternSet([{ re: g('a') }, { re: /b/g }])).toThrow(/one set of flags/);
  });
});
