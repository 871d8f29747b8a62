import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { Charset, LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every Lambda is bundled. The CDK stack (through NodejsFunction) and the
 * cold-start benchmark (through `bundleFunction`) both read these, so what is
 * measured is what is deployed.
 *
 * - ESM, minified, tree-shaken, for Node 24 on Lambda.
 * - The AWS SDK v3 is bundled, not taken from the runtime: the version is the
 *   one pinned in package-lock.json, and a minified bundle loads 20-50% faster
 *   than the runtime's copy in node_modules. The exception is LAZY_EXTERNALS:
 *   a client a function imports only on a rare path is left out of its bundle.
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

export const LAMBDA_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  treeShaking: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  external: [] as string[],
  banner: { js: LAMBDA_BANNER },
  charset: 'ascii',
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;

/**
 * AWS SDK clients a function imports only with a dynamic import() on a rare
 * path, left out of its bundle. esbuild writes one file, so a lazily imported
 * client would otherwise be parsed at every cold start (client-s3 is ~170 KB
 * of classify's and deliver's bundles). At first use Node resolves the import
 * from the Lambda runtime's built-in AWS SDK v3 (the Node 18+ runtimes search
 * NODE_PATH, /var/runtime/node_modules, for ES modules too).
 * The trade: on that path the client is the runtime's version (AWS updates it),
 * not the one pinned in package-lock.json, and it loads unminified (slower
 * first use). Only clients whose every import in the function is dynamic may
 * be listed: esbuild hoists a static import of an external to the top of the
 * bundle, which would load it at INIT (test/infra/infra-bundle.test.ts checks).
 * - classify: S3 for bodies too large for DynamoDB (shared/channels/lazy-mail-store.ts),
 *   Bedrock for the optional second-tier moderation (shared/moderation/second-tier.ts).
 * - deliver: S3 for a clerk's attachments (shared/delivery/email.ts).
 */
export const LAZY_EXTERNALS: Readonly<Record<string, readonly string[]>> = {
  'functions/classify.ts': ['@aws-sdk/client-s3', '@aws-sdk/client-bedrock-runtime'],
  'functions/deliver.ts': ['@aws-sdk/client-s3'],
};

/** The lazy externals of the handler at `entry` (absolute or relative to the project root). */
export function lazyExternalsOf(entry: string): string[] {
  const normalised = entry.replaceAll('\\', '/');
  const match = Object.keys(LAZY_EXTERNALS).find((relative) => normalised === relative || normalised.endsWith(`/${relative}`));
  return match ? [...LAZY_EXTERNALS[match]!] : [];
}

/** The file name the handler lives in inside the bundle: Lambda reads `.mjs` as ESM. */
export const LAMBDA_BUNDLE_FILE = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';

/** The same options in NodejsFunction's vocabulary (it runs the local esbuild binary; no Docker). */
export const NODEJS_FUNCTION_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: LAMBDA_ESBUILD_OPTIONS.target,
  minify: LAMBDA_ESBUILD_OPTIONS.minify,
  sourceMap: LAMBDA_ESBUILD_OPTIONS.sourcemap,
  mainFields: [...LAMBDA_ESBUILD_OPTIONS.mainFields],
  externalModules: [],
  bundleAwsSDK: true,
  banner: LAMBDA_BANNER,
  charset: Charset.ASCII,
  logLevel: LogLevel.WARNING,
  esbuildArgs: { '--tree-shaking': 'true', '--legal-comments': 'none' },
  forceDockerBundling: false,
};

export interface BundleResult {
  /** Absolute path of the bundled handler file. */
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

/**
 * Bundle one handler exactly as the stack does, into `outdir/index.mjs`.
 * esbuild is a devDependency, so it is loaded lazily: nothing here runs in Lambda.
 */
export async function bundleFunction(entry: string, outdir: string): Promise<BundleResult> {
  const { build } = await import('esbuild');
  await mkdir(outdir, { recursive: true });
  const file = join(outdir, LAMBDA_BUNDLE_FILE);
  const external = lazyExternalsOf(entry);
  const result = await build({ ...LAMBDA_ESBUILD_OPTIONS, external, entryPoints: [entry], outfile: file, metafile: true, write: true });
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(LAMBDA_BUNDLE_FILE));
  return { file, bytes: output?.[1].bytes ?? 0, metafile: result.metafile };
}
