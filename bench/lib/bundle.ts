import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

/**
 * Bundles a handler exactly as the CDK stack does. The stack's esbuild options
 * live in infra/aws/bundling.ts (LAMBDA_ESBUILD_OPTIONS, and bundleFunction when
 * present); when that file has not landed yet, FALLBACK_OPTIONS stand in and the
 * report says so, so the figures are never silently of a different build.
 */

export const FALLBACK_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  // Bundled CommonJS dependencies still call require(); ESM output needs one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'silent',
};

export interface Bundler {
  /** Where the options came from: 'infra/aws/bundling.ts' or 'bench fallback'. */
  readonly source: string;
  /** Bundles `entry` (relative to the project root) into `outdir`/index.mjs; returns the file path. */
  bundle(entry: string, outdir: string): Promise<string>;
}

interface StackBundling {
  LAMBDA_ESBUILD_OPTIONS?: BuildOptions;
  bundleFunction?: (entry: string, outdir: string) => Promise<unknown> | unknown;
}

export async function loadBundler(root: string): Promise<Bundler> {
  const stackFile = join(root, 'infra/aws/bundling.ts');
  let stack: StackBundling | undefined;
  if (existsSync(stackFile)) {
    try {
      stack = (await import(pathToFileURL(stackFile).href)) as StackBundling;
    } catch (error) {
      console.warn(`bench: infra/aws/bundling.ts failed to load (${(error as Error).message}); using the bench fallback options`);
    }
  }
  const options = stack?.LAMBDA_ESBUILD_OPTIONS;
  if (stack?.bundleFunction) {
    const bundleFunction = stack.bundleFunction;
    return {
      source: 'infra/aws/bundling.ts bundleFunction',
      async bundle(entry, outdir) {
        mkdirSync(outdir, { recursive: true });
        await bundleFunction(resolve(root, entry), outdir);
        return findOutput(outdir);
      },
    };
  }
  const chosen = options ?? FALLBACK_OPTIONS;
  return {
    source: options ? 'infra/aws/bundling.ts LAMBDA_ESBUILD_OPTIONS' : 'bench fallback (infra/aws/bundling.ts not available)',
    async bundle(entry, outdir) {
      mkdirSync(outdir, { recursive: true });
      const outfile = join(outdir, 'index.mjs');
      await build({ ...chosen, absWorkingDir: root, entryPoints: [resolve(root, entry)], outfile, outdir: undefined, write: true, metafile: false });
      return outfile;
    },
  };
}

function findOutput(outdir: string): string {
  for (const name of ['index.mjs', 'index.js', 'handler.mjs']) {
    const file = join(outdir, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`no bundle found in ${outdir}`);
}

export function sizeKb(file: string): number {
  return statSync(file).size / 1024;
}
