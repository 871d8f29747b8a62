import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { round } from '../lib/stats.ts';

export const ENGINE_TARGET_ITEMS_PER_S = 20_000;

export interface EngineReport {
  status: 'ok' | 'not-available' | 'failed';
  note?: string;
  items?: number;
  councils?: string[];
  seconds?: number;
  decisions?: number;
  itemsPerSecond?: number;
  /** CPU time of the loop / wall time: about 1.0 means it ran on one core, undisturbed. */
  cpuShare?: number;
  /** Share of decisions that were formal (also keeps the loop's result alive). */
  formalShare?: number;
  pass: boolean;
}

type Decide = (item: unknown, policy: unknown, context: unknown) => unknown;

interface Case {
  item: unknown;
  policy: unknown;
  context: unknown;
}

/**
 * Loops decide() over the labelled corpus, each item with its council's policy
 * and the context the corpus gives it, for at least `seconds` after a warm-up.
 * Single-threaded, so items/s is on one core.
 */
export async function runEngine(root: string, seconds: number): Promise<EngineReport> {
  const files = ['shared/policy/engine.ts', 'shared/policy/load.ts', 'test/support/corpus.ts'];
  const missing = files.filter((f) => !existsSync(join(root, f)));
  if (missing.length > 0) return { status: 'not-available', note: `not available yet: ${missing.join(', ')}`, pass: false };
  const load = async (f: string) => (await import(pathToFileURL(join(root, f)).href)) as Record<string, unknown>;
  const [engine, policyLoad, corpus] = await Promise.all(files.map(load));
  const decide = engine!.decide as Decide | undefined;
  const loadPolicy = policyLoad!.loadPolicy as ((name: string) => unknown) | undefined;
  if (typeof decide !== 'function' || typeof loadPolicy !== 'function') {
    return { status: 'not-available', note: 'decide() or loadPolicy() not exported yet', pass: false };
  }
  const cases = buildCases(corpus!, loadPolicy);
  if (typeof cases === 'string') return { status: 'not-available', note: cases, pass: false };

  // Warm-up: every case at least 50 times, so the JIT has compiled the hot paths.
  for (let i = 0; i < Math.max(2_000, cases.length * 50); i++) {
    const c = cases[i % cases.length]!;
    decide(c.item, c.policy, c.context);
  }
  let decisions = 0;
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let now = t0;
  while (now < deadline) {
    for (const c of cases) {
      const d = decide(c.item, c.policy, c.context) as { classification?: string } | undefined;
      if (d?.classification === 'formal') sink++;
    }
    decisions += cases.length;
    now = performance.now();
  }
  const elapsed = (now - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const itemsPerSecond = decisions / elapsed;
  return {
    status: 'ok',
    items: cases.length,
    councils: [...new Set(cases.map((c) => String((c.policy as { council?: { id?: string } })?.council?.id ?? '?')))],
    seconds: round(elapsed, 2),
    decisions,
    itemsPerSecond: Math.round(itemsPerSecond),
    cpuShare: round((cpu.user + cpu.system) / 1e6 / elapsed, 2),
    formalShare: round(sink / Math.max(1, decisions), 3),
    pass: itemsPerSecond >= ENGINE_TARGET_ITEMS_PER_S,
  };
}

/** Adapts to the corpus module: an exported array of labelled entries plus a builder to InboundItem. */
function buildCases(corpus: Record<string, unknown>, loadPolicy: (name: string) => unknown): Case[] | string {
  if (typeof corpus.loadCorpus === 'function') {
    // test/support/corpus.ts: loadCorpus() -> { council, entry, item }[]
    const labelled = (corpus.loadCorpus as () => { council: string; item: { receivedAt: string } }[])();
    const policies = new Map<string, unknown>();
    return labelled.map(({ council, item }) => {
      if (!policies.has(council)) policies.set(council, loadPolicy(council));
      // Context as classify builds it for a first contact: no consent on file, no earlier auto-reply.
      return { item, policy: policies.get(council), context: { now: new Date(item.receivedAt), consentOnFile: false } };
    });
  }
  const entries = Object.values(corpus).find((v) => Array.isArray(v) && v.length > 0 && typeof v[0] === 'object') as Record<string, unknown>[] | undefined;
  if (!entries) return 'test/support/corpus.ts exports no corpus array yet';
  const builder = Object.entries(corpus).find(([name, v]) => typeof v === 'function' && /item/i.test(name) && !/context/i.test(name))?.[1] as
    | ((entry: unknown) => unknown)
    | undefined;
  const contextBuilder = Object.entries(corpus).find(([name, v]) => typeof v === 'function' && /context/i.test(name))?.[1] as
    | ((entry: unknown, policy?: unknown) => unknown)
    | undefined;
  const policies = new Map<string, unknown>();
  const cases: Case[] = [];
  for (const entry of entries) {
    const council = String(entry.council ?? entry.policy ?? 'demo');
    if (!policies.has(council)) policies.set(council, loadPolicy(council));
    const policy = policies.get(council);
    const item = builder ? builder(entry) : entry.item;
    if (item === undefined) return 'corpus entries carry no item and no builder to InboundItem is exported';
    const context = contextBuilder
      ? contextBuilder(entry, policy)
      : (entry.context ?? { now: new Date((item as { receivedAt?: string }).receivedAt ?? Date.now()) });
    cases.push({ item, policy, context });
  }
  return cases;
}
