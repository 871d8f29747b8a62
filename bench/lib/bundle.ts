import { copyFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleFunction, withStaticImports } from '../../infra/aws/bundling.ts';
import { presetFile } from '../../shared/policy/load.ts';

/** The council policy shipped beside index.mjs, as the stack ships the deployed council's file. */
export const BENCH_POLICY_FILE = 'stilton.json';

/**
 * Bundles a handler exactly as the CDK stack does (infra/aws/bundling.ts
 * bundleFunction: index.mjs plus code-split chunks), so the figures are of
 * what is deployed.
 */
export interface BenchBundle {
  /** index.mjs, followed by the chunks a first invocation loads: what the probe imports, in order. */
  readonly files: readonly string[];
  /** index.mjs and its static chunks: what a cold start loads before the handler runs. */
  readonly initKb: number;
  /** `initKb` plus the chunks a first invocation loads. */
  readonly loadedKb: number;
  /** Every file of the deployment package. */
  readonly packageKb: number;
}

export const BUNDLER_SOURCE = 'infra/aws/bundling.ts bundleFunction (code splitting)';

/**
 * `rare` lists chunks (by the path of the module a dynamic import() loads)
 * that the function's common path never loads; every other chunk is imported
 * after index.mjs, so the figure is INIT plus a first invocation.
 */
export async function benchBundle(root: string, entry: string, outdir: string, rare: readonly string[] = []): Promise<BenchBundle> {
  const result = await bundleFunction(resolve(root, entry), outdir);
  copyFileSync(presetFile('stilton'), join(outdir, BENCH_POLICY_FILE));
  const outputs = result.metafile.outputs;
  const kb = (paths: Iterable<string>) => [...paths].reduce((sum, path) => sum + outputs[path]!.bytes, 0) / 1024;
  const index = Object.keys(outputs).find((path) => resolve(path) === resolve(result.file))!;
  const isRare = (module: string) => rare.some((prefix) => module.startsWith(prefix));
  const init = withStaticImports(result.metafile, [index]);
  const firstUse = Object.keys(outputs).filter((path) => {
    const module = outputs[path]!.entryPoint;
    return path !== index && module !== undefined && !isRare(module);
  });
  const loaded = withStaticImports(result.metafile, [index, ...firstUse]);
  // Every module deployed, rare clients included (they are outside the split build's metafile).
  const packageKb = result.files.reduce((sum, file) => sum + statSync(join(outdir, file)).size, 0) / 1024;
  return { files: [index, ...firstUse].map((path) => resolve(path)), initKb: kb(init), loadedKb: kb(loaded), packageKb };
}

export const outDirFor = (root: string, key: string) => join(root, 'bench/out', key.replace(':', '-'));
