import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { InboundItem } from '../../shared/model/inbound-item.ts';
import { MODERATION_CATEGORIES, type ModerationCategory } from '../../shared/model/decision.ts';
import { decide } from '../../shared/policy/engine.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { detectModeration, type ModerationRule } from '../../shared/policy/moderation.ts';
import { CHANNELS } from '../../shared/model/inbound-item.ts';
import { CORPUS_COUNCILS, loadCorpus, type LabelledItem } from '../support/corpus.ts';

/**
 * The labelled corpus (test/fixtures/corpus/) through the real engine and the
 * councils' presets.
 *
 * Bars:
 * - classification (formal / informal / ignored) and the unverified-sender
 *   hold: 100%. The policies are explicit about channels, addresses and
 *   automatic mail, so every miss is a bug or a wrong label.
 * - moderation, per category with at least MIN_POSITIVES labelled positives:
 *   precision >= 0.9 and recall >= 0.85, measured (a) on the lexicon alone with
 *   every category switched on over every item, and (b) on the engine's
 *   decisions, where a category counts only if the council's preset lists it.
 */

const PRECISION_BAR = 0.9;
const RECALL_BAR = 0.85;
const MIN_POSITIVES = 5;
const NOW = new Date('2026-03-10T10:30:00.000Z');

const corpus = loadCorpus();

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  misses: string[];
  falseAlarms: string[];
}

function score(rows: { id: string; expected: readonly ModerationCategory[]; got: readonly ModerationCategory[] }[]) {
  const table = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0, misses: [], falseAlarms: [] } as Counts])) as Record<
    ModerationCategory,
    Counts
  >;
  for (const { id, expected, got } of rows) {
    for (const c of MODERATION_CATEGORIES) {
      const e = expected.includes(c);
      const g = got.includes(c);
      if (e && g) table[c].tp++;
      else if (g) {
        table[c].fp++;
        table[c].falseAlarms.push(id);
      } else if (e) {
        table[c].fn++;
        table[c].misses.push(id);
      }
    }
  }
  return table;
}

const ratio = (n: number, d: number): number => (d === 0 ? 1 : n / d);

function printTable(title: string, table: Record<ModerationCategory, Counts>): void {
  const lines = [`${title}`, `${'category'.padEnd(24)} ${'pos'.padStart(4)} ${'tp'.padStart(4)} ${'fp'.padStart(4)} ${'fn'.padStart(4)}  precision  recall`];
  for (const c of MODERATION_CATEGORIES) {
    const { tp, fp, fn } = table[c];
    lines.push(
      `${c.padEnd(24)} ${String(tp + fn).padStart(4)} ${String(tp).padStart(4)} ${String(fp).padStart(4)} ${String(fn).padStart(4)}  ${ratio(tp, tp + fp)
        .toFixed(2)
        .padStart(9)}  ${ratio(tp, tp + fn)
        .toFixed(2)
        .padStart(6)}`,
    );
  }
  console.log(lines.join('\n'));
}

function expectBars(table: Record<ModerationCategory, Counts>): void {
  for (const c of MODERATION_CATEGORIES) {
    const { tp, fp, fn, misses, falseAlarms } = table[c];
    expect(tp + fn, `${c}: at least ${MIN_POSITIVES} labelled positives`).toBeGreaterThanOrEqual(MIN_POSITIVES);
    expect(ratio(tp, tp + fp), `${c} precision; false alarms: ${falseAlarms.join(', ')}`).toBeGreaterThanOrEqual(PRECISION_BAR);
    expect(ratio(tp, tp + fn), `${c} recall; misses: ${misses.join(', ')}`).toBeGreaterThanOrEqual(RECALL_BAR);
  }
}

const ALL_RULES: ModerationRule[] = MODERATION_CATEGORIES.map((category) => ({ category, clause: 'corpus', action: 'flag' }));

describe('labelled corpus', () => {
  it('has at least 150 schema-valid items across every council and channel, with unique ids', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    for (const { entry, item } of corpus) expect(v.safeParse(InboundItem, item).success, entry.id).toBe(true);
    expect(new Set(corpus.map((r) => r.item.itemId)).size).toBe(corpus.length);
    for (const council of CORPUS_COUNCILS) {
      for (const channel of CHANNELS) {
        expect(
          corpus.some((r) => r.council === council && r.item.channel === channel),
          `${council} ${channel}`,
        ).toBe(true);
      }
    }
  });

  it('decides every item with the labelled classification and unverified-sender hold (bar: 100%)', () => {
    const wrong: string[] = [];
    for (const { council, entry, item } of corpus) {
      const d = decide(item, loadPolicy(council), { now: NOW, consentOnFile: false });
      const gotHold = d.hold === 'unverified-sender' ? 'unverified-sender' : undefined;
      if (d.classification !== entry.expect.classification || gotHold !== entry.expect.hold) {
        wrong.push(
          `${entry.id}: expected ${entry.expect.classification}${entry.expect.hold ? `/${entry.expect.hold}` : ''}, got ${d.classification}${d.hold ? `/${d.hold}` : ''} (${d.reasons.map((r) => r.rule).join(', ')})`,
        );
      }
    }
    expect(wrong).toEqual([]);
  });

  it('holds informal items for the clerk exactly when a flagged category is one the preset acts on', () => {
    for (const { council, entry, item } of corpus) {
      const policy = loadPolicy(council);
      const d = decide(item, policy, { now: NOW, consentOnFile: false });
      if (d.classification !== 'informal') continue;
      const rule = (c: string) => policy.moderation.find((r) => r.category === c);
      // A Page comment is also held when the policy acts on the Page for a flagged category (issue 15, withyham.txt §6.13).
      const onPage = (c: string) => item.channel === 'facebook-comment' && policy.pageModeration !== undefined && (rule(c)?.page ?? 'none') !== 'none';
      const acted = d.flags.some((f) => rule(f.category)?.action !== 'flag' || onPage(f.category));
      expect(d.hold, entry.id).toBe(acted ? 'moderation' : undefined);
    }
  });

  it('moderation lexicon, every category on, over every item: precision and recall per category', () => {
    const rows = corpus.map(({ entry, item }) => ({
      id: entry.id,
      expected: entry.expect.moderation,
      got: detectModeration(item.subject ? `${item.subject}\n${item.text}` : item.text, ALL_RULES).map((f) => f.category),
    }));
    const table = score(rows);
    printTable(`Moderation lexicon over ${rows.length} items (all categories on)`, table);
    expectBars(table);
  });

  it('engine decisions under each preset: precision and recall per category the presets list', () => {
    const rows = corpus.flatMap(({ council, entry, item }: LabelledItem) => {
      const policy = loadPolicy(council);
      const d = decide(item, policy, { now: NOW, consentOnFile: false });
      if (d.classification === 'ignored') return [];
      const listed = new Set(policy.moderation.map((r) => r.category));
      return [{ id: entry.id, expected: entry.expect.moderation.filter((c) => listed.has(c)), got: d.flags.map((f) => f.category) }];
    });
    const table = score(rows);
    printTable(`Engine flags over ${rows.length} non-ignored items (categories each preset lists)`, table);
    expectBars(table);
  });
});
