import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS, type FunctionId } from '../../shared/topology.ts';
import { BUNDLER_SOURCE, benchBundle, outDirFor } from '../lib/bundle.ts';
import { countInstructions } from '../lib/instructions.ts';
import { measureInterleaved } from '../lib/load-time.ts';
import { FUNCTION_SPECS, LOAD_RATIO_TARGET, NEVER_LOADED_IN_LAMBDA, REFERENCES, targetReference, type ReferenceId } from '../lib/references.ts';
import { median, percentile, round } from '../lib/stats.ts';

export interface Measured {
  status: 'ok' | 'missing' | 'bundle-failed' | 'load-failed';
  error?: string;
  /** index.mjs and its static chunks: loaded at INIT. */
  bundleKb?: number;
  /** Also the chunks a first invocation loads (all but FUNCTION_SPECS rare and NEVER_LOADED_IN_LAMBDA): what is timed. */
  loadedKb?: number;
  /** The whole deployment package. */
  packageKb?: number;
  loadMsMedian?: number;
  loadMsP90?: number;
  samples?: number;
  /** With --instructions: millions of instructions the import executes above the empty reference (bench/lib/instructions.ts). */
  instructionsM?: number;
}

export interface FunctionLoadResult extends Measured {
  fn: FunctionId;
  entry: string;
  ingest: boolean;
  ownReference: ReferenceId;
  targetReference: ReferenceId;
  /** function / target reference, median load time: the graded figure. */
  loadRatio?: number;
  /** function / own reference (differs from loadRatio only for ses-inbound). */
  loadRatioOwn?: number;
  /** With --instructions: function / target reference, instructions above the empty reference. */
  instructionRatio?: number;
  sizeRatio?: number;
  pass: boolean;
}

export interface ColdLoadReport {
  bundler: string;
  node: string;
  runs: number;
  method: string;
  references: Record<ReferenceId, Measured & { entry: string; clients: string }>;
  functions: FunctionLoadResult[];
}

export async function runColdLoad(root: string, runs: number, log: (line: string) => void, options: { instructions?: boolean } = {}): Promise<ColdLoadReport> {
  log(`bundling with ${BUNDLER_SOURCE}`);
  const files = new Map<string, readonly string[]>();
  const measured = new Map<string, Measured>();

  const targets: [string, string][] = [
    ...Object.entries(REFERENCES).map(([id, ref]) => [`ref:${id}`, ref.entry] as [string, string]),
    ...Object.entries(FUNCTIONS).map(([id, fn]) => [`fn:${id}`, fn.entry] as [string, string]),
  ];
  for (const [key, entry] of targets) {
    if (!existsSync(join(root, entry))) {
      measured.set(key, { status: 'missing' });
      continue;
    }
    try {
      const rare = [...NEVER_LOADED_IN_LAMBDA, ...(key.startsWith('fn:') ? (FUNCTION_SPECS[key.slice(3) as FunctionId].rare ?? []) : [])];
      const bundle = await benchBundle(root, entry, outDirFor(root, key), rare);
      files.set(key, bundle.files);
      measured.set(key, { status: 'ok', bundleKb: round(bundle.initKb, 1), loadedKb: round(bundle.loadedKb, 1), packageKb: round(bundle.packageKb, 1) });
    } catch (error) {
      measured.set(key, {
        status: 'bundle-failed',
        error: String((error as Error).message)
          .split('\n')
          .slice(0, 3)
          .join(' '),
      });
    }
  }

  log(`measuring module load: ${files.size} bundles x ${runs} runs, interleaved`);
  const results = await measureInterleaved(files, runs, (r) => {
    if (r % 5 === 0 || r === runs) log(`  round ${r}/${runs}`);
  });
  for (const [key, result] of results) {
    const m = measured.get(key)!;
    if (result.error) Object.assign(m, { status: 'load-failed', error: result.error });
    else
      Object.assign(m, { loadMsMedian: round(median(result.samples), 2), loadMsP90: round(percentile(result.samples, 90), 2), samples: result.samples.length });
  }

  if (options.instructions) await countAll(files, measured, log);

  const references = Object.fromEntries(
    Object.entries(REFERENCES).map(([id, ref]) => [id, { ...ref, ...measured.get(`ref:${id}`)! }]),
  ) as ColdLoadReport['references'];

  const functions: FunctionLoadResult[] = Object.entries(FUNCTIONS).map(([id, fn]) => {
    const spec = FUNCTION_SPECS[id as FunctionId];
    const target = targetReference(spec);
    const m = measured.get(`fn:${id}`)!;
    const ref = references[target];
    const own = references[spec.own];
    const ratio = (a?: number, b?: number) => (a !== undefined && b ? round(a / b, 2) : undefined);
    const loadRatio = ratio(m.loadMsMedian, ref.loadMsMedian);
    return {
      fn: id as FunctionId,
      entry: fn.entry,
      ingest: spec.ingest,
      ownReference: spec.own,
      targetReference: target,
      ...m,
      loadRatio,
      loadRatioOwn: ratio(m.loadMsMedian, own.loadMsMedian),
      instructionRatio: ratio(m.instructionsM, ref.instructionsM),
      sizeRatio: ratio(m.loadedKb, ref.loadedKb),
      pass: m.status === 'ok' && loadRatio !== undefined && loadRatio <= LOAD_RATIO_TARGET,
    };
  });

  return {
    bundler: BUNDLER_SOURCE,
    node: process.version,
    runs,
    method:
      "Each bundle is imported in a fresh `node` process (same binary as the bench) by bench/lib/load-probe.mjs, which times `await import(index.mjs)` (the handler and its static chunks: INIT) and then every chunk of a dynamic import() except those of rare paths (bench/lib/references.ts: the SDK's fallback credential providers, classify's S3 and Bedrock clients, deliver's other senders and attachments), as a first invocation would, with performance.now(); process start-up is excluded. One untimed warm-up import per bundle, then rounds in which every bundle runs once in a random order.",
    references,
    functions,
  };
}

/** One count per bundle (a count moves by about 0.3 % between runs), less the empty reference's: Node's start-up and the probe. */
async function countAll(files: ReadonlyMap<string, readonly string[]>, measured: Map<string, Measured>, log: (line: string) => void): Promise<void> {
  log(`counting instructions: ${files.size} bundles under valgrind (about 5 s each)`);
  const counts = new Map<string, number>();
  for (const [key, bundle] of files) counts.set(key, await countInstructions(bundle));
  const floor = counts.get('ref:empty');
  if (floor === undefined) throw new Error('the empty reference was not counted');
  for (const [key, count] of counts) measured.get(key)!.instructionsM = round((count - floor) / 1e6, 1);
}
