import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction, LAMBDA_BANNER, LAMBDA_BUNDLE_FILE, lazyExternalsOf } from '../../infra/aws/bundling.ts';
import { PROJECT_ROOT } from '../../infra/aws/stack.ts';
import { FUNCTIONS, type FunctionId } from '../../shared/topology.ts';
import { synth, type Synth } from './synth.ts';

/**
 * The one infra path that bundles the real handlers: NodejsFunction with the
 * local esbuild (no Docker), exactly as `cdk synth` / `cdk deploy` do, plus a
 * custom council policy file copied into the policy-reading bundles.
 */

const ids = Object.keys(FUNCTIONS) as FunctionId[];

let s: Synth;
let policyFile: string;

function bundleOf(id: FunctionId): string {
  const key = s.json.Resources[s.logicalId(s.stack.functions[id])].Properties.Code.S3Key as string;
  return join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

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

  it('each bundle is one minified ESM file with the AWS SDK inside, no external imports but Node built-ins', () => {
    for (const id of ids) {
      const code = readFileSync(join(bundleOf(id), LAMBDA_BUNDLE_FILE), 'utf8');
      expect(code.startsWith(LAMBDA_BANNER), id).toBe(true);
      // Booleans, not toMatch: a failure must not print a 500 KB bundle.
      expect(/export\s*\{[^}]*\bhandler\b[^}]*\}\s*;?\s*$/.test(code), `${id} exports handler`).toBe(true);
      const imports = [...code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)].map((m) => m[1]!);
      const external = imports.filter(
        (spec) =>
          !spec.startsWith('node:') &&
          ![
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
          ].includes(spec),
      );
      expect(external, id).toEqual([]);
      // Only the function's lazy externals are imported at run time, and only dynamically (a static import would load them at INIT).
      const dynamic = [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!).filter((spec) => !spec.startsWith('node:'));
      expect([...new Set(dynamic)].sort(), `${id} dynamic imports`).toEqual(lazyExternalsOf(FUNCTIONS[id].entry).sort());
      // Minified: newlines survive only inside template literals.
      expect(code.length / code.split('\n').length, `${id} average line length`).toBeGreaterThan(2_000);
    }
  });

  it('functions that use the AWS SDK carry it in the bundle', () => {
    for (const id of ['classify', 'deliver', 'sesInbound'] as const) {
      const code = readFileSync(join(bundleOf(id), LAMBDA_BUNDLE_FILE), 'utf8');
      expect(code.includes('amazonaws.com') && code.includes('@smithy'), id).toBe(true);
    }
  });

  it('classify and deliver leave the S3 client (and classify the Bedrock client) out: they import them only on rare paths', () => {
    const has = (id: FunctionId, pkg: string) => readFileSync(join(bundleOf(id), LAMBDA_BUNDLE_FILE), 'utf8').includes(`name:"${pkg}"`);
    expect(has('classify', '@aws-sdk/client-s3')).toBe(false);
    expect(has('classify', '@aws-sdk/client-bedrock-runtime')).toBe(false);
    expect(has('deliver', '@aws-sdk/client-s3')).toBe(false);
    // ses-inbound reads every mail from S3: its client stays bundled (pinned version, minified).
    expect(has('sesInbound', '@aws-sdk/client-s3')).toBe(true);
  });

  it('bundleFunction (what the benchmark uses) produces the same bytes as the deployed bundle', async () => {
    for (const id of [ids[0]!, 'classify' as const]) {
      const out = mkdtempSync(join(tmpdir(), 'hub-bundle-'));
      const result = await bundleFunction(resolve(PROJECT_ROOT, FUNCTIONS[id].entry), out);
      expect(result.bytes).toBeGreaterThan(0);
      const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
      expect(sha(result.file), id).toBe(sha(join(bundleOf(id), LAMBDA_BUNDLE_FILE)));
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
});
