import { MODERATION_CATEGORIES, type ModerationCategory } from '../model/moderation-categories.ts';

/**
 * Precision, recall and F1 of a moderation assessor against labelled items:
 * per category, micro-averaged over all categories, and the share of neutral
 * items (no label) that got any flag at all (the false alarms a clerk sees).
 */

export interface ScoredRow {
  readonly id: string;
  readonly expected: readonly ModerationCategory[];
  readonly got: readonly ModerationCategory[];
}

export interface CategoryScore {
  readonly support: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface ModerationScore {
  readonly items: number;
  readonly perCategory: Record<ModerationCategory, CategoryScore>;
  readonly micro: { readonly tp: number; readonly fp: number; readonly fn: number; readonly precision: number; readonly recall: number; readonly f1: number };
  readonly neutral: { readonly items: number; readonly falseAlarms: number; readonly rate: number };
}

const ratio = (n: number, d: number): number => (d === 0 ? 0 : n / d);
const f1Of = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

export function scoreModeration(rows: readonly ScoredRow[]): ModerationScore {
  const perCategory = {} as Record<ModerationCategory, CategoryScore>;
  let tpAll = 0;
  let fpAll = 0;
  let fnAll = 0;
  for (const c of MODERATION_CATEGORIES) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const row of rows) {
      const e = row.expected.includes(c);
      const g = row.got.includes(c);
      if (e && g) tp++;
      else if (g) fp++;
      else if (e) fn++;
    }
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    perCategory[c] = { support: tp + fn, tp, fp, fn, precision, recall, f1: f1Of(precision, recall) };
    tpAll += tp;
    fpAll += fp;
    fnAll += fn;
  }
  const precision = ratio(tpAll, tpAll + fpAll);
  const recall = ratio(tpAll, tpAll + fnAll);
  const neutral = rows.filter((r) => r.expected.length === 0);
  const falseAlarms = neutral.filter((r) => r.got.length > 0).length;
  return {
    items: rows.length,
    perCategory,
    micro: { tp: tpAll, fp: fpAll, fn: fnAll, precision, recall, f1: f1Of(precision, recall) },
    neutral: { items: neutral.length, falseAlarms, rate: ratio(falseAlarms, neutral.length) },
  };
}

/** The table `npm run eval:moderation` prints. */
export function formatScore(score: ModerationScore, title: string): string[] {
  const pct = (v: number) => v.toFixed(2);
  const pad = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(26) : c.padStart(9))).join('');
  const lines = [title, pad(['category', 'support', 'P', 'R', 'F1', 'FP', 'FN'])];
  for (const c of MODERATION_CATEGORIES) {
    const s = score.perCategory[c];
    lines.push(pad([c, String(s.support), pct(s.precision), pct(s.recall), pct(s.f1), String(s.fp), String(s.fn)]));
  }
  const m = score.micro;
  lines.push(pad(['micro', String(m.tp + m.fn), pct(m.precision), pct(m.recall), pct(m.f1), String(m.fp), String(m.fn)]));
  lines.push(`neutral false alarms: ${score.neutral.falseAlarms} of ${score.neutral.items} (${(score.neutral.rate * 100).toFixed(1)} %)`);
  return lines;
}
