import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PATTERN_LITERALS_FILE, patternLiteralsJson } from '../../infra/build/pattern-literals.ts';
import { requiredLiterals } from '../../infra/build/required-literals.ts';
import '../../shared/moderation/rules.ts';
import { allPatternSets, type Matcher } from '../../shared/moderation/scan.ts';
import { loadCorpus } from '../../test/support/corpus.ts';

/**
 * scan() skips a pattern whose required words (pattern-literals.json) are not
 * in the text. That is only safe if every match of the pattern contains one of
 * them: checked here on strings generated to match each pattern, on every
 * local text, and on hand-made cases of each construct the analysis reads.
 */

const patterns = allPatternSets().flatMap((set) => set.patterns.map((p, i) => ({ re: p.re, needs: set.needs[i] })));
const texts = [
  ...(JSON.parse(readFileSync(new URL('../fixtures/moderation-eval/dev.json', import.meta.url), 'utf8')) as { text: string }[]).map((e) => e.text),
  ...loadCorpus().flatMap((c) => (c.entry.text ? [c.entry.text] : [])),
];
const matches = (re: Matcher, s: string) => new RegExp(re.source, re.flags.replace('g', '')).test(s);

describe('the words a pattern cannot match without', () => {
  it('covers nearly every pattern of the rules tier (a car registration alone, for one, has no word)', () => {
    expect(patterns.length).toBeGreaterThan(50);
    expect(patterns.filter((p) => p.needs).length).toBeGreaterThan(patterns.length * 0.9);
  });

  it('are in every local text a pattern matches, in any case', () => {
    let matched = 0;
    for (const t of texts.flatMap((t) => [t, t.toUpperCase()])) {
      for (const p of patterns) {
        if (!p.needs || !matches(p.re, t)) continue;
        matched++;
        expect(p.needs.test(t.toLowerCase()), `${p.re.source.slice(0, 60)} on a text it matches`).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('are in every generated string a pattern matches', () => {
    let checked = 0;
    for (const p of patterns) {
      // fast-check generates from the pattern without word boundaries or case modifiers; the real pattern decides.
      const source = p.re.source.replaceAll('(?-i:', '(?:').replaceAll('\\b', '');
      let strings: string[];
      try {
        strings = fc.sample(fc.stringMatching(new RegExp(source)), { numRuns: 300, seed: 10 });
      } catch {
        continue; // lookarounds: covered by the texts above and the cases below
      }
      for (const s of strings.flatMap((s) => [s, s.toUpperCase()]).filter((s) => matches(p.re, s))) {
        checked++;
        expect(p.needs!.test(s.toLowerCase()), `${p.re.source.slice(0, 60)} on ${JSON.stringify(s)}`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(5_000);
  });

  it.each([
    [String.raw`\bfoo(?:bar|baz)\b`, ['foobar', 'foobaz']],
    [String.raw`a?b+cd`, ['bcd']],
    [String.raw`(?:x|y)z|w{2}q`, ['xz', 'yz', 'wwq']],
    [String.raw`it['’]s`, ["it's", 'it’s']],
    [String.raw`f[*#]{1,2}k`, ['f*', 'f#']],
    [String.raw`[A-Z]x|[^a]y|[\w.]z`, ['x', 'y', 'z']],
    [String.raw`\d+ (?:cats?|dogs?)`, ['cat', 'dog']],
    [String.raw`hello(?=world)|(?<!a)bye`, ['hello', 'bye']],
    [String.raw`\u00A3\d+`, ['£']],
    [String.raw`\u0130stanbul|x`, ['stanbul', 'x']],
    [String.raw`(?-i:[A-Z])[a-z]+ said`, [' said']],
    [String.raw`lol|\uD83E\uDD23`, ['lol', '\u{1F923}']],
    [String.raw`(a)\12z`, ['a']],
    [String.raw`(?<w>a)\k<w>bc`, ['bc']],
  ])('%s needs one of %j', (source, expected) => {
    expect(requiredLiterals(source)?.sort()).toEqual([...expected].sort());
  });

  it.each([String.raw`\w+`, String.raw`a|\d`, String.raw`(?:abc)?`, String.raw`[a-c]+`, String.raw`[^a]`, String.raw`\u0130|x`, String.raw`\uD801\uDC00`])(
    '%s needs nothing it can rely on',
    (source) => {
      expect(requiredLiterals(source)).toBeUndefined();
    },
  );

  it('are generated from the patterns; npm run gen:moderation rewrites them', () => {
    expect(readFileSync(PATTERN_LITERALS_FILE, 'utf8')).toBe(patternLiteralsJson());
  });
});
