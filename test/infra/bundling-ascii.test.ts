import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../../infra/aws/bundling.ts';
import { FUNCTIONS } from '../../shared/topology.ts';

const out = mkdtempSync(join(tmpdir(), 'bundle-ascii-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// One non-ASCII byte makes V8 hold the whole bundle as a two-byte string (slower to
// load); esbuild escapes everything except text inside String.raw templates.
describe('Lambda bundles are pure ASCII', () => {
  it.each(Object.entries(FUNCTIONS).map(([name, fn]) => [name, fn.entry]))('%s', async (name, entry) => {
    const dir = join(out, name);
    const { files } = await bundleFunction(join(process.cwd(), entry), dir);
    for (const file of files) {
      const bytes = readFileSync(join(dir, file));
      const offending = bytes.findIndex((b) => b > 0x7f);
      expect(offending === -1 ? '' : bytes.subarray(Math.max(0, offending - 60), offending + 20).toString('utf8'), file).toBe('');
    }
  });
});
