import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative } from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BuildOptions, BuildResult, Metafile } from 'esbuild';
import { PROJECT_ROOT } from './project-root.ts';

/**
 * How every Lambda is bundled. The CDK stack (through `lambdaCode`) and the
 * cold-start benchmark (through `bundleFunction`) both use these, so what is
 * measured is what is deployed.
 *
 * - ESM, minified, tree-shaken, for Node 24 on Lambda.
 * - The AWS SDK v3 is bundled, not taken from the runtime: the version is the
 *   one pinned in package-lock.json, and a minified bundle loads 20-50% faster
 *   than the runtime's copy in node_modules.
 * - Code splitting: `index.mjs` holds what the handler imports statically;
 *   every dynamic import() is its own chunk in `chunks/`, loaded only when that
 *   path first runs. Without it esbuild inlines a lazily imported module (the
 *   S3 client, a rare sender, the SDK's fallback credential providers) into the
 *   one file, where it is parsed at every cold start, and keeps whole client
 *   packages because it cannot tree-shake an import() namespace.
 *   NodejsFunction bundles to a single --outfile and cannot split, so the stack
 *   deploys `Code.fromAsset` with this bundler run locally (`lambdaCode`).
 * - `module` before `main` so packages that ship both give esbuild their ESM
 *   build (better tree shaking).
 * - The banner gives CommonJS dependencies a real `require` for Node built-ins;
 *   without it esbuild's ESM shim throws "Dynamic require of 'x' is not supported".
 * - No source maps: they double the artefact and Node only uses them with
 *   --enable-source-maps, which costs cold-start time.
 * - ASCII output (esbuild's default charset): non-ASCII characters are
 *   written as escapes. One raw `£` makes V8 hold the whole bundle as a
 *   two-byte string, which cost classify ~4 ms of module load. Characters
 *   inside String.raw templates cannot be escaped by esbuild; write them as
 *   `\u00a3` in the source (shared/policy/moderation.ts does).
 */
export const LAMBDA_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The file name the handler lives in inside the bundle: Lambda reads `.mjs` as ESM. */
export const LAMBDA_BUNDLE_FILE = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';
export const LAMBDA_CHUNK_DIR = 'chunks';

export const LAMBDA_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  treeShaking: true,
  splitting: true,
  entryNames: 'index',
  chunkNames: `${LAMBDA_CHUNK_DIR}/[name]-[hash]`,
  outExtension: { '.js': '.mjs' },
  sourcemap: false,
  mainFields: ['module', 'main'],
  banner: { js: LAMBDA_BANNER },
  charset: 'ascii',
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;

export interface BundleResult {
  /** Absolute path of the handler file, `outdir/index.mjs`. */
  readonly file: string;
  /** Bytes of index.mjs alone. */
  readonly bytes: number;
  /** index.mjs and the chunks it imports statically: what a cold start loads (paths relative to outdir). */
  readonly initFiles: readonly string[];
  readonly initBytes: number;
  /** Every file written (relative to outdir). */
  readonly files: readonly string[];
  readonly metafile: Metafile;
}

const optionsFor = (entry: string, outdir: string): BuildOptions => ({ ...LAMBDA_ESBUILD_OPTIONS, entryPoints: [entry], outdir, metafile: true, write: true });

/**
 * Bundle one handler exactly as the stack does, into `outdir/index.mjs` and `outdir/chunks/`.
 * esbuild is a devDependency, so it is loaded lazily: nothing here runs in Lambda.
 */
export async function bundleFunction(entry: string, outdir: string): Promise<BundleResult> {
  const { build } = await import('esbuild');
  mkdirSync(outdir, { recursive: true });
  return resultOf(await build(optionsFor(entry, outdir)), outdir);
}

/** The same, synchronously: CDK's local bundling cannot await. */
export function bundleFunctionSync(entry: string, outdir: string): BundleResult {
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  mkdirSync(outdir, { recursive: true });
  return resultOf(buildSync(optionsFor(entry, outdir)), outdir);
}

function resultOf(result: BuildResult, outdir: string): BundleResult {
  const metafile = result.metafile!;
  const outputs = metafile.outputs;
  const key = (path: string) => relative(outdir, join(process.cwd(), path)).replaceAll('\\', '/');
  const index = Object.keys(outputs).find((path) => key(path) === LAMBDA_BUNDLE_FILE);
  if (!index) throw new Error(`esbuild wrote no ${LAMBDA_BUNDLE_FILE} in ${outdir}`);
  const init = withStaticImports(metafile, [index]);
  return {
    file: join(outdir, LAMBDA_BUNDLE_FILE),
    bytes: outputs[index]!.bytes,
    initFiles: [...init].map(key),
    initBytes: [...init].reduce((sum, path) => sum + outputs[path]!.bytes, 0),
    files: Object.keys(outputs).map(key),
    metafile,
  };
}

/** The given output files (metafile paths) and every chunk they reach through static imports: what loading them loads. */
export function withStaticImports(metafile: Metafile, paths: Iterable<string>): Set<string> {
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of metafile.outputs[path]!.imports) if (imported.kind === 'import-statement' && metafile.outputs[imported.path]) visit(imported.path);
  };
  for (const path of paths) visit(path);
  return loaded;
}

/**
 * A function's deployment package: the handler bundled by `bundleFunctionSync`
 * on this machine (no Docker), plus `extraFiles` copied beside index.mjs (a
 * council's policy file). The asset is hashed by its output, so a change to
 * any bundled source redeploys the function and nothing else does.
 */
export function lambdaCode(entry: string, extraFiles: readonly string[] = []): lambda.Code {
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds (esbuild is a devDependency).
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-slim'),
      local: new LocalBundler(relative(PROJECT_ROOT, entry), extraFiles),
    },
  });
}

/** Its fields are part of CDK's asset cache key (it serialises the bundling options), which keeps two functions' bundles apart. */
class LocalBundler implements ILocalBundling {
  readonly entry: string;
  readonly extraFiles: readonly string[];

  constructor(entry: string, extraFiles: readonly string[]) {
    this.entry = entry;
    this.extraFiles = extraFiles;
  }

  tryBundle(outputDir: string): boolean {
    bundleFunctionSync(join(PROJECT_ROOT, this.entry), outputDir);
    for (const file of this.extraFiles) copyFileSync(file, join(outputDir, basename(file)));
    return true;
  }
}
