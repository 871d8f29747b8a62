import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateSet, loadEvalSet } from '../../bench/eval/moderation-eval.ts';
import { MODERATION_CATEGORIES, type ModerationCategory } from '../../shared/model/decision.ts';
import { scoreModeration } from '../../shared/moderation/metrics.ts';
import { detectModeration, linkContextOf, type ModerationRule } from '../../shared/policy/moderation.ts';
import { loadPolicy } from '../../shared/policy/load.ts';

/**
 * The defects issue 15 names in the old lexicon, one case each (every one of
 * these was wrong under the old lexicon, bench/baseline/moderation-lexicon.ts), the metrics of `npm run eval:moderation`, and the
 * target on the dev set (tuned on, so a regression guard, not a measurement:
 * the held-out figures are in docs/moderation.md).
 */

const ALL: ModerationRule[] = MODERATION_CATEGORIES.map((category) => ({ category, clause: 'withyham.txt §6.11', action: 'flag' }));
const withyham = loadPolicy('withyham');
const flagsOf = (text: string): ModerationCategory[] => detectModeration(text, ALL, linkContextOf(withyham)).map((f) => f.category);

const DEFECTS: [string, string, ModerationCategory[]][] = [
  ['starred swearing', 'What the f*** is the council doing about the potholes', ['obscene-or-racist']],
  ['spaced-out swearing', 'F.U.C.K this parking scheme', ['obscene-or-racist']],
  ['copying a photo', 'Not my photo, pinched it from a photographer on Flickr but it is too good not to share', ['plagiarised-or-unlawful']],
  ['pasting an article', 'Pasted the full article from behind the Times paywall for those without a subscription', ['plagiarised-or-unlawful']],
  ['off-topic chatter without a link', 'Anyone watching the Ashes? What a match', ['off-topic-links']],
  ['a veiled threat', 'It would be a shame if something happened to your car, Cllr Dawson', ['personal-attack']],
  [
    'a polite allegation of an undeclared interest',
    'Surely Cllr Okoro should have declared his interest before voting on the bowls club grant?',
    ['alleges-breach'],
  ],
  ['unpublished minutes', 'The minutes of the March meeting have still not been published on the website', ['alleges-breach']],
];

const NEUTRAL: [string, string][] = [
  ["the resident's own number", '07700 900123 is my mobile if you need me about the streetlight'],
  ['a signature block', 'Please could the verge on Church Road be cut?\n\nThanks,\nPriya Shah\n07700 900144\n4 Mill Lane'],
  ['local news about a parish matter', 'Courier piece on the pub closure https://www.kentandsussexcourier.co.uk/news/local/pub-closure'],
  ['a county council page', 'Roadworks details: https://www.eastsussex.gov.uk/roads/roadworks'],
  ['mild venting', 'Bloody potholes again on the Groombridge road, crap state of affairs'],
  ['a service report with no wrongdoer', 'Someone has illegally dumped a fridge in the lay-by on the A26'],
  ['oilseed rape and blue tits', 'Lovely to see the blue tits back by the oilseed rape field near Balls Green'],
];

describe('the rules tier on the defects issue 15 names', () => {
  it.each(DEFECTS)('%s', (_what, text, expected) => {
    expect(flagsOf(text)).toEqual(expect.arrayContaining(expected));
  });
  it.each(NEUTRAL)('leaves %s alone', (_what, text) => {
    expect(flagsOf(text)).toEqual([]);
  });
  it("tells someone else's details from the sender's own", () => {
    expect(flagsOf("Cllr Singh's personal mobile is 07700 900858, ring him")).toContain('personal-information');
    expect(flagsOf('Karen Lowe lives at 14 Orchard Close if anyone wants to have a word')).toContain('personal-information');
    expect(flagsOf('My mobile is 07700 900858, ring me')).not.toContain('personal-information');
  });
  it('reads on-topic hosts from the policy: the same link is on topic for one council and off for another', () => {
    const text = 'See https://www.ipswichstar.co.uk/news/bourne-park-plans';
    expect(detectModeration(text, ALL, linkContextOf(loadPolicy('wherstead'))).map((f) => f.category)).not.toContain('off-topic-links');
    expect(detectModeration(text, ALL, linkContextOf(withyham)).map((f) => f.category)).toContain('off-topic-links');
  });
});

describe('npm run eval:moderation', () => {
  it('scores per category, micro-averaged, and counts false alarms on neutral items only', () => {
    const score = scoreModeration([
      { id: 'a', expected: ['personal-attack'], got: ['personal-attack'] },
      { id: 'b', expected: ['personal-attack', 'alleges-breach'], got: ['personal-attack'] },
      { id: 'c', expected: [], got: ['off-topic-links'] },
      { id: 'd', expected: [], got: [] },
    ]);
    expect(score.perCategory['personal-attack']).toMatchObject({ tp: 2, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1 });
    expect(score.perCategory['alleges-breach']).toMatchObject({ tp: 0, fn: 1, recall: 0, f1: 0 });
    expect(score.micro).toMatchObject({ tp: 2, fp: 1, fn: 1 });
    expect(score.micro.f1).toBeCloseTo(2 / 3);
    expect(score.neutral).toEqual({ items: 2, falseAlarms: 1, rate: 0.5 });
  });

  it('meets the targets on the dev set (micro-F1 >= 0.7, neutral false alarms <= 3 %), where the old lexicon did not', async () => {
    const items = loadEvalSet(readFileSync(new URL('../fixtures/moderation-eval/dev.json', import.meta.url), 'utf8'), 'dev.json');
    const rules = await evaluateSet(items, 'rules');
    expect(rules.summary.microF1).toBeGreaterThanOrEqual(0.7);
    expect(rules.summary.neutralFalseAlarmRate).toBeLessThanOrEqual(0.03);
    const lexicon = await evaluateSet(items, 'lexicon');
    expect(lexicon.summary.microF1).toBeLessThan(0.5);
  });
});
