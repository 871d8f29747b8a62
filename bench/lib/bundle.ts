import { copyFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';
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
 * that the function's common path never loads. What is timed is index.mjs and
 * every chunk a first invocation can reach from it: each import() in a loaded
 * file whose target is not rare, and so on. A chunk esbuild writes for an
 * import() that tree-shaking removed is never loaded and not counted.
 */
export async function benchBundle(root: string, entry: string, outdir: string, rare: readonly string[] = []): Promise<BenchBundle> {
  const result = await bundleFunction(resolve(root, entry), outdir);
  copyFileSync(presetFile('stilton'), join(outdir, BENCH_POLICY_FILE));
  const { metafile } = result;
  const outputs = metafile.outputs;
  const kb = (paths: Iterable<string>) => [...paths].reduce((sum, path) => sum + outputs[path]!.bytes, 0) / 1024;
  const index = Object.keys(outputs).find((path) => resolve(path) === resolve(result.file))!;
  const isRare = (path: string) => rare.some((prefix) => outputs[path]!.entryPoint?.startsWith(prefix));
  const init = withStaticImports(metafile, [index]);
  const { firstUse, loaded } = reachedByFirstInvocation(metafile, index, isRare);
  // Every module deployed, rare clients included (they are outside the split build's metafile).
  const packageKb = result.files.reduce((sum, file) => sum + statSync(join(outdir, file)).size, 0) / 1024;
  return { files: [index, ...firstUse].map((path) => resolve(path)), initKb: kb(init), loadedKb: kb(loaded), packageKb };
}

/** The chunks import() can reach from index.mjs, skipping rare ones (in the order found), and every file they load. */
function reachedByFirstInvocation(metafile: Metafile, index: string, isRare: (path: string) => boolean) {
  const loaded = withStaticImports(metafile, [index]);
  const firstUse: string[] = [];
  const pending = [...loaded];
  while (pending.length) {
    for (const imported of metafile.outputs[pending.shift()!]!.imports) {
      if (imported.kind !== 'dynamic-import' || !metafile.outputs[imported.path] || isRare(imported.path) || firstUse.includes(imported.path)) continue;
      firstUse.push(imported.path);
      for (const path of withStaticImports(metafile, [imported.path])) {
        if (!loaded.has(path)) pending.push(path);
        loaded.add(path);
      }
    }
  }
  return { firstUse, loaded };
}

export const outDirFor = (root: string, key: string) => join(root, 'bench/out', key.replace(':', '-'));
