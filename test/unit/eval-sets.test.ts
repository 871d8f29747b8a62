// Shape and minimum-size checks for the independent evaluation sets in
// test/fixtures/moderation-eval and test/fixtures/requests-eval. This test
// deliberately assesses no classifier: it only guards the files' structure and
// the minimum counts their READMEs promise, so an edit cannot silently shrink
// a set or introduce an unknown label.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const MODERATION_LABELS = [
  'obscene-or-racist',
  'personal-attack',
  'potentially-libellous',
  'plagiarised-or-unlawful',
  'personal-information',
  'off-topic-links',
  'commercial-or-spam',
  'alleges-breach',
] as const;
const REQUEST_LABELS = ['foi', 'sar', 'complaint'] as const;
const COUNCILS = ['withyham', 'stilton', 'wherstead', 'west-end', 'cassington'];
const CHANNELS = ['comment', 'messenger', 'email', 'sms'];

type Item = Record<string, unknown> & { id: string; labels: string[] };

function load(path: string): Item[] {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));
  expect(Array.isArray(parsed)).toBe(true);
  return parsed as Item[];
}

function countLabels(items: Item[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) for (const label of item.labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}

function expectCommonShape(items: Item[], idPattern: RegExp, knownLabels: readonly string[]): void {
  expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  expect(new Set(items.map((i) => i.text)).size).toBe(items.length);
  for (const item of items) {
    expect(item.id).toMatch(idPattern);
    expect(CHANNELS).toContain(item.channel);
    expect(typeof item.text === 'string' && item.text.trim().length > 0).toBe(true);
    expect(typeof item.reason === 'string' && item.reason.trim().length > 0).toBe(true);
    expect(Array.isArray(item.labels)).toBe(true);
    expect(new Set(item.labels).size).toBe(item.labels.length);
    for (const label of item.labels) expect(knownLabels).toContain(label);
  }
}

describe('moderation evaluation sets', () => {
  const sets = [
    { file: 'moderation-eval/heldout.json', idPattern: /^mh-\d{3}$/, minItems: 320, minPerLabel: 22 },
    { file: 'moderation-eval/dev.json', idPattern: /^md-\d{3}$/, minItems: 150, minPerLabel: 11 },
  ];
  for (const set of sets) {
    it(`${set.file} has the documented shape and minimum counts`, () => {
      const items = load(set.file);
      expectCommonShape(items, set.idPattern, MODERATION_LABELS);
      for (const item of items) {
        expect(COUNCILS).toContain(item.council);
        expect(Object.keys(item).sort()).toEqual(['channel', 'council', 'id', 'labels', 'reason', 'text']);
      }
      expect(items.length).toBeGreaterThanOrEqual(set.minItems);
      const neutral = items.filter((i) => i.labels.length === 0).length;
      expect(neutral * 2).toBeGreaterThanOrEqual(items.length);
      const counts = countLabels(items);
      for (const label of MODERATION_LABELS) expect(counts.get(label) ?? 0).toBeGreaterThanOrEqual(set.minPerLabel);
    });
  }

  it('dev and heldout share no text', () => {
    const held = new Set(load('moderation-eval/heldout.json').map((i) => i.text));
    expect(load('moderation-eval/dev.json').filter((i) => held.has(i.text as string))).toEqual([]);
  });
});

describe('statutory request evaluation sets', () => {
  const sets = [
    { file: 'requests-eval/heldout.json', idPattern: /^rq-\d{3}$/, minPerLabel: 25, minNearMisses: 75 },
    { file: 'requests-eval/dev.json', idPattern: /^rqd-\d{3}$/, minPerLabel: 12, minNearMisses: 35 },
    { file: 'requests-eval/dev2.json', idPattern: /^d2-\d{3}$/, minPerLabel: 55, minNearMisses: 150 },
  ];
  for (const set of sets) {
    it(`${set.file} has the documented shape and minimum counts`, () => {
      const items = load(set.file);
      expectCommonShape(items, set.idPattern, REQUEST_LABELS);
      for (const item of items) {
        const keys = Object.keys(item)
          .filter((k) => k !== 'subject')
          .sort();
        expect(keys).toEqual(['channel', 'id', 'labels', 'reason', 'text']);
        if ('subject' in item) {
          expect(item.channel).toBe('email');
          expect(typeof item.subject === 'string' && item.subject.length > 0).toBe(true);
        }
      }
      const counts = countLabels(items);
      for (const label of REQUEST_LABELS) expect(counts.get(label) ?? 0).toBeGreaterThanOrEqual(set.minPerLabel);
      expect(items.filter((i) => i.labels.length === 0).length).toBeGreaterThanOrEqual(set.minNearMisses);
    });
  }

  it('the tuning sets (dev, dev2) share no text with heldout', () => {
    const held = new Set(load('requests-eval/heldout.json').map((i) => i.text));
    for (const dev of ['requests-eval/dev.json', 'requests-eval/dev2.json'])
      expect(
        load(dev)
          .filter((i) => held.has(i.text as string))
          .map((i) => i.id),
      ).toEqual([]);
  });
});
