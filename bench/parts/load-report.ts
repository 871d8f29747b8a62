import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LoadFigures {
  status: 'ok' | 'not-run';
  items?: number;
  rate?: number;
  lost?: number;
  duplicated?: number;
  ackP99Ms?: number;
  pass: boolean;
  raw?: unknown;
}

/** Reads bench/load-report.json written by `npm run load` (another part of issue 7), tolerating its exact field names. */
export function readLoadReport(root: string): LoadFigures {
  const file = join(root, 'bench/load-report.json');
  if (!existsSync(file)) return { status: 'not-run', pass: false };
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const pick = (...paths: string[]): number | undefined => {
    for (const path of paths) {
      let v: unknown = raw;
      for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
      if (typeof v === 'number') return v;
    }
    return undefined;
  };
  const items = pick('items', 'sent', 'config.items', 'counts.sent');
  const rate = pick('rate', 'config.rate');
  const lost = pick('lost', 'counts.lost', 'accounting.lost');
  const duplicated = pick('duplicated', 'duplicates', 'counts.duplicated', 'accounting.duplicated');
  const ackP99Ms = pick('ackLatencyMs.p99', 'latency.p99', 'ack.p99', 'p99', 'latencyMs.p99');
  const pass = (items ?? 0) >= 5000 && lost === 0 && duplicated === 0 && ackP99Ms !== undefined && ackP99Ms <= 50;
  return { status: 'ok', items, rate, lost, duplicated, ackP99Ms, pass, raw };
}
