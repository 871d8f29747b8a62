import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { bundleFunction, LAMBDA_BANNER, LAMBDA_BUNDLE_FILE, LAMBDA_ESBUILD_OPTIONS, RARE_CLIENT_DIR, RARE_CLIENT_IMPORT } from '../../infra/aws/bundling.ts';
import { INIT_ENV } from '../../bench/lib/load-time.ts';
import { PROJECT_ROOT } from '../../infra/aws/stack.ts';
import { FUNCTIONS, type FunctionId } from '../../shared/topology.ts';
import { synth, type Synth } from './synth.ts';

/**
 * The one infra path that bundles the real handlers: the stack's local esbuild
 * bundling with code splitting (no Docker), exactly as `cdk synth` / `cdk deploy`
 * do, plus a custom council policy file copied into the policy-reading bundles.
 */

const ids = Object.keys(FUNCTIONS) as FunctionId[];

let s: Synth;
let policyFile: string;

function bundleOf(id: FunctionId): string {
  const key = s.json.Resources[s.logicalId(s.stack.functions[id])].Properties.Code.S3Key as string;
  return join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

const NODE_BUILTINS = new Set([
  'module',
  'crypto',
  'fs',
  'path',
  'os',
  'url',
  'util',
  'stream',
  'http',
  'https',
  'zlib',
  'buffer',
  'events',
  'process',
  'child_process',
  'net',
  'tls',
  'dns',
  'fs/promises',
  'stream/web',
  'async_hooks',
  'string_decoder',
  'worker_threads',
  'perf_hooks',
  'querystring',
  'timers',
  'http2',
  'assert',
  'v8',
  'vm',
]);

/** Every .mjs file of a bundle directory, relative to it. */
function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.mjs'));
}

const staticImports = (code: string) => [...code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)].map((m) => m[1]!);
const dynamicImports = (code: string) => [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);

/** index.mjs and every chunk it reaches through static imports: what a cold start loads. */
function initFilesOf(dir: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(readFileSync(join(dir, file), 'utf8'))) if (spec.startsWith('.')) visit(relative(dir, resolve(dir, dirname(file), spec)));
  };
  visit(LAMBDA_BUNDLE_FILE);
  return [...seen];
}

const codeOf = (dir: string, files: readonly string[]) => files.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-policy-'));
  policyFile = join(dir, 'my-parish.json');
  writeFileSync(policyFile, readFileSync(resolve(PROJECT_ROOT, 'shared/policy/presets/stilton.json')));
  s = synth({ context: { council: policyFile } });
}, 120_000);

describe('bundling the real handlers', () => {
  it('every function entry in the topology exists', () => {
    expect(ids.filter((id) => !existsSync(resolve(PROJECT_ROOT, FUNCTIONS[id].entry)))).toEqual([]);
  });

  it('each bundle is minified ESM with the AWS SDK inside: index.mjs plus chunks, importing nothing but Node built-ins and its own chunks', () => {
    for (const id of ids) {
      const dir = bundleOf(id);
      const index = readFileSync(join(dir, LAMBDA_BUNDLE_FILE), 'utf8');
      // Booleans, not toMatch: a failure must not print a 500 KB bundle.
      expect(/export\s*\{[^}]*\bhandler\b[^}]*\}\s*;?\s*$/.test(index), `${id} exports handler`).toBe(true);
      for (const file of filesOf(dir)) {
        const code = readFileSync(join(dir, file), 'utf8');
        expect(code.startsWith(LAMBDA_BANNER), `${id} ${file} banner`).toBe(true);
        const specs = [...staticImports(code), ...dynamicImports(code)].filter((spec) => !spec.startsWith('node:') && !NODE_BUILTINS.has(spec));
        const inBundle = (spec: string) =>
          spec.startsWith(RARE_CLIENT_IMPORT)
            ? existsSync(join(dir, RARE_CLIENT_DIR, `${spec.slice(RARE_CLIENT_IMPORT.length)}.mjs`))
            : spec.startsWith('.') && existsSync(resolve(dir, dirname(file), spec));
        const missing = specs.filter((spec) => !inBundle(spec));
        expect(missing, `${id} ${file} imports outside the bundle`).toEqual([]);
      }
      // Minified: newlines survive only inside template literals.
      const all = codeOf(dir, filesOf(dir));
      expect(all.length / all.split('\n').length, `${id} average line length`).toBeGreaterThan(2_000);
    }
  });

  it('functions that use the AWS SDK carry it in the bundle', () => {
    for (const id of ['classify', 'deliver', 'sesInbound'] as const) {
      const code = codeOf(bundleOf(id), initFilesOf(bundleOf(id)));
      expect(code.includes('amazonaws.com') && code.includes('@smithy'), id).toBe(true);
    }
  });

  it('a client used only on a rare path is a file of its own, loaded when that path runs and not at a cold start', () => {
    const client = (pkg: string) => `name:"${pkg}"`;
    const atInit = (id: FunctionId, pkg: string) => codeOf(bundleOf(id), initFilesOf(bundleOf(id))).includes(client(pkg));
    const inBundle = (id: FunctionId, pkg: string) => codeOf(bundleOf(id), filesOf(bundleOf(id))).includes(client(pkg));
    // classify: S3 for bodies too large for DynamoDB, Bedrock for the opt-in second opinion; deliver: S3 for a clerk's attachments.
    for (const [id, pkg] of [
      ['classify', '@aws-sdk/client-s3'],
      ['classify', '@aws-sdk/client-bedrock-runtime'],
      ['deliver', '@aws-sdk/client-s3'],
      ['deliver', '@aws-sdk/client-pinpoint-sms-voice-v2'],
    ] as const) {
      expect(atInit(id, pkg), `${id} loads ${pkg} at INIT`).toBe(false);
      expect(inBundle(id, pkg), `${id} ships ${pkg}`).toBe(true);
    }
    // ses-inbound reads every mail from S3: its client loads at INIT.
    expect(atInit('sesInbound', '@aws-sdk/client-s3')).toBe(true);
  });

  it('a cold start loads no Node built-in the hub never uses: node:http2 (Bedrock) and node:stream/web (middy) are in no INIT file', () => {
    for (const id of ids) {
      const code = codeOf(bundleOf(id), initFilesOf(bundleOf(id)));
      const loaded = staticImports(code).filter((spec) => /^(?:node:)?(?:http2|stream\/web)$/.test(spec));
      expect(loaded, id).toEqual([]);
    }
  });

  it("a cold start reads the shipped policy without the policy schema (zod): it is in no function's INIT files, only in a chunk for an unchecked file", () => {
    const schemaText = 'expected an email address like clerk@example.org.uk';
    for (const id of ids) {
      const dir = bundleOf(id);
      expect(codeOf(dir, initFilesOf(dir)).includes(schemaText), `${id} compiles the policy schema at a cold start`).toBe(false);
    }
    expect(codeOf(bundleOf('consentForm'), filesOf(bundleOf('consentForm'))).includes(schemaText)).toBe(true);
  });

  it("queue messages are checked with valibot: zod is in no function's INIT files (building its schemas cost classify ~4 ms a cold start)", () => {
    for (const id of ids) {
      const dir = bundleOf(id);
      expect(codeOf(dir, initFilesOf(dir)).includes('$ZodType'), `${id} loads zod at a cold start`).toBe(false);
    }
  });

  it("only @middy/core's node:stream/web is replaced, in every function and rare client", async () => {
    const { build } = await import('esbuild');
    const entries = [
      ...ids.map((id) => FUNCTIONS[id].entry),
      ...readdirSync(join(PROJECT_ROOT, 'shared', RARE_CLIENT_DIR)).map((f) => `shared/${RARE_CLIENT_DIR}/${f}`),
    ];
    const { metafile } = await build({
      ...LAMBDA_ESBUILD_OPTIONS,
      entryPoints: entries.map((entry) => resolve(PROJECT_ROOT, entry)),
      entryNames: '[dir]/[name]',
      outdir: mkdtempSync(join(tmpdir(), 'hub-bundle-')),
      metafile: true,
      write: false,
    });
    const importers = Object.entries(metafile.inputs)
      .filter(([, input]) => input.imports.some((i) => i.path.endsWith('infra/aws/substitutes/stream-web.ts')))
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    expect(importers).toEqual(['@middy/core/index.js']);
  });

  it('rare clients stay on rare paths: only the lazy raw-mail store and the second opinion import them', () => {
    const sources = ['shared', 'functions'].flatMap((top) =>
      readdirSync(join(PROJECT_ROOT, top), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => `${top}/${file}`)
        .filter((file) => !file.startsWith(`shared/${RARE_CLIENT_DIR}/`)),
    );
    const importers = sources.filter((file) => readFileSync(join(PROJECT_ROOT, file), 'utf8').includes(`import('${RARE_CLIENT_IMPORT}`));
    // The bench never times a rare client (bench/lib/references.ts): adding an importer here means saying why its path is rare.
    expect(importers.sort()).toEqual(['shared/channels/lazy-mail-store.ts', 'shared/moderation/second-tier.ts']);
  });

  it('the bundler refuses a static import of a rare client, which would load it at every cold start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-rare-'));
    const entry = join(dir, 'handler.ts');
    writeFileSync(entry, `import { S3Client } from '${RARE_CLIENT_IMPORT}s3';\nexport const handler = () => typeof S3Client;\n`);
    await expect(bundleFunction(entry, join(dir, 'out'))).rejects.toThrow(/only ever loaded with import\(\)/);
  });

  it('every bundle loads in a fresh Node process, and its rare clients resolve from inside it', () => {
    const probe = `for (const url of process.argv.slice(1)) await import(url); process.stdout.write('loaded')`;
    for (const id of ids) {
      const dir = bundleOf(id);
      const rare = existsSync(join(dir, RARE_CLIENT_DIR)) ? readdirSync(join(dir, RARE_CLIENT_DIR)).map((f) => f.replace(/\.mjs$/, '')) : [];
      // A module inside the bundle asks for each rare client the way the code does, so the bundle's package.json answers.
      const asker = join(dir, 'ask-rare-clients.mjs');
      writeFileSync(asker, rare.map((name) => `await import('${RARE_CLIENT_IMPORT}${name}');`).join('\n'));
      const env = { PATH: process.env.PATH ?? '', ...INIT_ENV, LAMBDA_TASK_ROOT: dir, HUB_COUNCIL: join(dir, 'my-parish.json') };
      try {
        const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe, join(dir, LAMBDA_BUNDLE_FILE), asker], { env }).toString();
        expect(out, id).toBe('loaded');
      } finally {
        rmSync(asker);
      }
    }
  }, 60_000);

  it('bundleFunction (what the benchmark uses) produces the same files and bytes as the deployed bundle', async () => {
    for (const id of [ids[0]!, 'classify' as const]) {
      const out = mkdtempSync(join(tmpdir(), 'hub-bundle-'));
      const result = await bundleFunction(resolve(PROJECT_ROOT, FUNCTIONS[id].entry), out);
      expect([...result.files].sort(), id).toEqual(filesOf(bundleOf(id)).sort());
      expect([...result.initFiles].sort(), id).toEqual(initFilesOf(bundleOf(id)).sort());
      const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
      for (const file of result.files) expect(sha(join(out, file)), `${id} ${file}`).toBe(sha(join(bundleOf(id), file)));
    }
  });

  it('a custom council policy file ships inside each policy-reading bundle and HUB_COUNCIL points at it', () => {
    for (const id of ['classify', 'deliver', 'consentForm', 'consentSchedule'] as const) {
      const env = s.json.Resources[s.logicalId(s.stack.functions[id])].Properties.Environment.Variables;
      expect(env.HUB_COUNCIL, id).toBe('/var/task/my-parish.json');
      expect(readFileSync(join(bundleOf(id), 'my-parish.json'), 'utf8'), id).toBe(readFileSync(policyFile, 'utf8'));
    }
    expect(s.json.Resources[s.logicalId(s.stack.functions.twilioWebhook)].Properties.Environment.Variables.HUB_COUNCIL).toBeUndefined();
  });

  it("no bundle carries the presets: only the council's own policy file ships", () => {
    for (const id of ids) {
      const dir = bundleOf(id);
      const code = codeOf(dir, filesOf(dir));
      // Each preset's version string appears only in its own file.
      expect(
        ['withyham-2023-10.1', 'cassington-2021-03-04.1', 'wherstead-2023-03-08.1'].filter((version) => code.includes(version)),
        id,
      ).toEqual([]);
    }
  });

  it('the handler is index.handler on the Node 24 runtime', () => {
    for (const id of ids) {
      const props = s.json.Resources[s.logicalId(s.stack.functions[id])].Properties;
      expect([props.Handler, props.Runtime], id).toEqual(['index.handler', 'nodejs24.x']);
    }
  });
});
