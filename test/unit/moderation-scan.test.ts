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
