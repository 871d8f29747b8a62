import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
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
 * - Rare clients (`#rare-clients/*`, shared/rare-clients/): an SDK client that
 *   a function needs only on a rare path (classify: S3 for a body too large
 *   for DynamoDB, Bedrock for the opt-in second opinion; deliver: S3 for a
 *   clerk's attachments) is bundled on its own, with its own copy of the SDK
 *   core, into `rare-clients/<name>.mjs`; the bundle's package.json maps the
 *   import to it, as the project's maps it to the source. Code splitting alone
 *   does not keep such a client off the cold start: esbuild puts every SDK
 *   module the client shares with the function's everyday clients into the
 *   chunk loaded at INIT, tree-shaken there or not (S3's checksum streams
 *   load Node's web streams; Bedrock's default handler loads `node:http2`).
 * - `node:stream/web` is replaced for @middy/core (infra/aws/substitutes/stream-web.ts
 *   says why). esbuild's alias applies to every importer: infra-bundle.test.ts
 *   checks that in every function middy is the only one.
 */
export const LAMBDA_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The file name the handler lives in inside the bundle: Lambda reads `.mjs` as ESM. */
export const LAMBDA_BUNDLE_FILE = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';
export const LAMBDA_CHUNK_DIR = 'chunks';
/** Where a bundle keeps its rare clients, and the import specifier that reaches them. */
export const RARE_CLIENT_DIR = 'rare-clients';
export const RARE_CLIENT_IMPORT = '#rare-clients/';
const STREAM_WEB_SUBSTITUTE = join(PROJECT_ROOT, 'infra/aws/substitutes/stream-web.ts');

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
  alias: { 'node:stream/web': STREAM_WEB_SUBSTITUTE, 'stream/web': STREAM_WEB_SUBSTITUTE },
  external: [`${RARE_CLIENT_IMPORT}*`],
} as const satisfies BuildOptions;

/** A rare client is one self-contained file: no chunks, nothing shared with the function's own code. */
const rareClientOptions = (name: string, outdir: string): BuildOptions => ({
  ...LAMBDA_ESBUILD_OPTIONS,
  splitting: false,
  entryNames: '[name]',
  entryPoints: [join(PROJECT_ROOT, 'shared', RARE_CLIENT_DIR, `${name}.ts`)],
  outdir: join(outdir, RARE_CLIENT_DIR),
  metafile: true,
  write: true,
});

/** What Node needs to resolve `#rare-clients/<name>` inside the deployed package (the project's package.json maps it to the source). */
const BUNDLE_PACKAGE_JSON = `${JSON.stringify({ type: 'module', imports: { [`${RARE_CLIENT_IMPORT}*`]: `./${RARE_CLIENT_DIR}/*.mjs` } }, null, 2)}\n`;

export interface BundleResult {
  /** Absolute path of the handler file, `outdir/index.mjs`. */
  readonly file: string;
  /** Bytes of index.mjs alone. */
  readonly bytes: number;
  /** index.mjs and the chunks it imports statically: what a cold start loads (paths relative to outdir). */
  readonly initFiles: readonly string[];
  readonly initBytes: number;
  /** Every module written (relative to outdir): index.mjs, its chunks and any rare clients. */
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
  const main = await build(optionsFor(entry, outdir));
  const rare = await Promise.all(rareClientsOf(main.metafile!).map((name) => build(rareClientOptions(name, outdir))));
  return resultOf(main, rare, outdir);
}

/** The same, synchronously: CDK's local bundling cannot await. */
export function bundleFunctionSync(entry: string, outdir: string): BundleResult {
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  mkdirSync(outdir, { recursive: true });
  const main = buildSync(optionsFor(entry, outdir));
  const rare = rareClientsOf(main.metafile!).map((name) => buildSync(rareClientOptions(name, outdir)));
  return resultOf(main, rare, outdir);
}

/**
 * The rare clients a bundle imports (`#rare-clients/s3` gives `s3`). A static
 * import of one would load it, with its own copy of the SDK, at every cold
 * start, and no figure that follows static imports would see it: refused.
 */
function rareClientsOf(metafile: Metafile): string[] {
  const imports = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external && i.path.startsWith(RARE_CLIENT_IMPORT)));
  const eager = imports.filter((i) => i.kind !== 'dynamic-import');
  if (eager.length) throw new Error(`${eager.map((i) => i.path).join(', ')}: a rare client is only ever loaded with import(), never imported statically`);
  return [...new Set(imports.map((i) => i.path.slice(RARE_CLIENT_IMPORT.length)))].sort();
}

function resultOf(result: BuildResult, rareClients: readonly BuildResult[], outdir: string): BundleResult {
  const metafile = result.metafile!;
  const outputs = metafile.outputs;
  const key = (path: string) => relative(outdir, join(process.cwd(), path)).replaceAll('\\', '/');
  const index = Object.keys(outputs).find((path) => key(path) === LAMBDA_BUNDLE_FILE);
  if (!index) throw new Error(`esbuild wrote no ${LAMBDA_BUNDLE_FILE} in ${outdir}`);
  if (rareClients.length) writeFileSync(join(outdir, 'package.json'), BUNDLE_PACKAGE_JSON);
  const init = withStaticImports(metafile, [index]);
  return {
    file: join(outdir, LAMBDA_BUNDLE_FILE),
    bytes: outputs[index]!.bytes,
    initFiles: [...init].map(key),
    initBytes: [...init].reduce((sum, path) => sum + outputs[path]!.bytes, 0),
    files: [...Object.keys(outputs), ...rareClients.flatMap((r) => Object.keys(r.metafile!.outputs))].map(key),
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
