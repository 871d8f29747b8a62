import fc from 'fast-check';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { describe, expect, it } from 'vitest';
import { buildObsceneTerms, obsceneTermsJson, OBSCENE_TERMS_FILE } from '../../infra/build/obscene-terms.ts';
import { packCodePoints, unpackCodePoints } from '../../shared/moderation/code-points.ts';
import { obsceneMatches } from '../../shared/moderation/obscene-matcher.ts';
import { OBSCENE_WORDS } from '../../shared/moderation/obscene-words.ts';
import { detectObscene } from '../../shared/moderation/profanity.ts';
import { readFileSync } from 'node:fs';

/** The matcher as the rules tier built it before the data was generated ahead of time. */
const library = new RegExpMatcher({
  ...englishDataset.removePhrasesIf((phrase) => !OBSCENE_WORDS.has(phrase.metadata?.originalWord ?? '')).build(),
  ...englishRecommendedTransformers,
});
const libraryMatches = (text: string) => library.getAllMatches(text, true).map(({ termId, startIndex, endIndex }) => ({ termId, startIndex, endIndex }));

const terms = buildObsceneTerms();
const lookAlikes = [...unpackCodePoints(terms.blacklistTransform.charMap.from)].map((from) => String.fromCodePoint(from));
/** Pieces that make matches, near misses and whitelisted words likely, in every disguise the transformers undo. */
const piece = fc.oneof(
  fc.constantFrom(...OBSCENE_WORDS, ...terms.whitelist, 'fuuuck', 'sh1t', 'tw@t', 'c u n t', 'Scunthorpe', 'snigger', 'cocktail', 'assess', 'bass'),
  fc.constantFrom(...lookAlikes),
  fc.constantFrom(' ', '  ', '.', '\n', "'", '-', '😀', '\uD83D', '\uDE00', 'ß', 'İ', 'ﬀ'),
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzBCKNST01345@$!|( '), maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const text = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(''));

describe('profanity matcher built ahead of time', () => {
  it('finds exactly what obscenity finds, in the same order, on random text', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(obsceneMatches(t)).toEqual(libraryMatches(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('sees through the disguises obscenity undoes, and keeps its whitelist', () => {
    for (const t of ['what the fuuuck', 'SH1T happens', 'you tw@t', 'f\u0430ck', 'that is sh it', 'Scunthorpe United', 'a snigger', 'p orna']) {
      expect(obsceneMatches(t)).toEqual(libraryMatches(t));
    }
    expect(detectObscene('what the fuuuck is this, you tw@t').evidence).toEqual(['fuuuck', 'tw@t']);
    expect(obsceneMatches('a snigger at the shitake stall')).toEqual([]);
  });

  it('packs the character maps losslessly, astral code points included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0x10ffff })), (codePoints) => {
        expect([...unpackCodePoints(packCodePoints(codePoints))]).toEqual(codePoints);
      }),
    );
    expect(unpackCodePoints(terms.blacklistTransform.charMap.from)).toHaveLength(unpackCodePoints(terms.blacklistTransform.charMap.to).length);
  });

  it('is generated from obscenity and shared/moderation/obscene-words.ts; npm run gen:moderation rewrites it', () => {
    expect(readFileSync(OBSCENE_TERMS_FILE, 'utf8')).toBe(obsceneTermsJson());
  });
});
