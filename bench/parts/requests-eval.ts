import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectRequests } from '../../shared/cases/detect.ts';
import type { CaseType } from '../../shared/cases/clock.ts';

/**
 * Precision and recall of the statutory-request detector (shared/cases/detect.ts)
 * on the independent labelled sets in test/fixtures/requests-eval/. Reports
 * aggregate figures only: the heldout set's contents are never printed.
 */

export const REQUEST_TYPES: readonly CaseType[] = ['foi', 'sar', 'complaint'];
export const REQUESTS_TARGET = 0.9;

interface EvalItem {
  readonly id: string;
  readonly subject?: string;
  readonly text: string;
  readonly labels: readonly CaseType[];
}

export interface CategoryScore {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly pass: boolean;
}

export interface SetScore {
  readonly set: string;
  readonly items: number;
  readonly requests: number;
  readonly nearMisses: number;
  readonly categories: Record<CaseType, CategoryScore>;
  readonly pass: boolean;
}

export function scoreSet(name: string, items: readonly EvalItem[]): SetScore & { misses: { id: string; type: CaseType; kind: 'fp' | 'fn' }[] } {
  const counts = Object.fromEntries(REQUEST_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }])) as Record<CaseType, { tp: number; fp: number; fn: number }>;
  const misses: { id: string; type: CaseType; kind: 'fp' | 'fn' }[] = [];
  for (const item of items) {
    const predicted = new Set(detectRequests(item.subject ? `${item.subject}\n${item.text}` : item.text).map((d) => d.type));
    for (const type of REQUEST_TYPES) {
      const truth = item.labels.includes(type);
      const said = predicted.has(type);
      if (truth && said) counts[type].tp++;
      else if (said) {
        counts[type].fp++;
        misses.push({ id: item.id, type, kind: 'fp' });
      } else if (truth) {
        counts[type].fn++;
        misses.push({ id: item.id, type, kind: 'fn' });
      }
    }
  }
  const categories = Object.fromEntries(
    REQUEST_TYPES.map((t) => {
      const { tp, fp, fn } = counts[t];
      const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
      const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
      return [
        t,
        {
          truePositives: tp,
          falsePositives: fp,
          falseNegatives: fn,
          precision: round3(precision),
          recall: round3(recall),
          pass: precision >= REQUESTS_TARGET && recall >= REQUESTS_TARGET,
        },
      ];
    }),
  ) as Record<CaseType, CategoryScore>;
  const requests = items.filter((i) => i.labels.length > 0).length;
  return {
    set: name,
    items: items.length,
    requests,
    nearMisses: items.length - requests,
    categories,
    pass: REQUEST_TYPES.every((t) => categories[t].pass),
    misses,
  };
}

/** The labelled sets, in report order: the two tuning sets, then the one that measures. */
export const REQUEST_SETS = ['dev', 'dev2', 'heldout'] as const;
export type RequestSetName = (typeof REQUEST_SETS)[number];
/** The sets whose contents a rule writer may read (heldout is only ever scored). */
export const TUNING_SETS: readonly RequestSetName[] = ['dev', 'dev2'];

export function loadSet(root: string, name: RequestSetName): EvalItem[] | undefined {
  const path = join(root, 'test/fixtures/requests-eval', `${name}.json`);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as EvalItem[];
}

/** Each named set that exists, figures only (for bench/report.json); `pass` is heldout's. */
export function runRequestsEval(root: string, names: readonly RequestSetName[] = REQUEST_SETS): { target: number; sets: SetScore[]; pass: boolean } {
  const sets: SetScore[] = [];
  for (const name of names) {
    const items = loadSet(root, name);
    if (!items) continue;
    const { misses: _m, ...score } = scoreSet(name, items);
    sets.push(score);
  }
  return { target: REQUESTS_TARGET, sets, pass: sets.find((s) => s.set === 'heldout')?.pass ?? false };
}

export function requestsTable(result: ReturnType<typeof runRequestsEval>): string[] {
  const lines = [
    `Statutory request detection (target precision and recall >= ${result.target} each; heldout is the measure, dev and dev2 were used for tuning)`,
  ];
  for (const s of result.sets) {
    const per = REQUEST_TYPES.map((t) => `${t} ${s.categories[t].truePositives + s.categories[t].falseNegatives}`).join(', ');
    lines.push(`  ${s.set}: ${s.items} items (${per}; ${s.nearMisses} near misses)`);
    for (const t of REQUEST_TYPES) {
      const c = s.categories[t];
      lines.push(
        `  ${s.set.padEnd(8)} ${t.padEnd(10)} P ${c.precision.toFixed(3)}  R ${c.recall.toFixed(3)}  (tp ${c.truePositives}, fp ${c.falsePositives}, fn ${c.falseNegatives})  ${c.pass ? 'PASS' : 'FAIL'}`,
      );
    }
  }
  return lines;
}

/** The bench table with its request-detection block (the heading and its indented lines) replaced, or appended. */
export function replaceRequestsLines(table: readonly string[], lines: readonly string[]): string[] {
  const start = table.findIndex((l) => l.startsWith('Statutory request detection'));
  if (start < 0) return [...table, '', ...lines];
  let end = start + 1;
  while (end < table.length && table[end]!.startsWith('  ')) end++;
  return [...table.slice(0, start), ...lines, ...table.slice(end)];
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
