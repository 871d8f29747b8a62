import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 17 item 9: `npm ci` and `npx hub` on a machine whose own Node is older
 * than the pinned 24 must not warn about the project's engine. npm checks
 * `engines` against the Node running npm; with `devEngines` present it checks
 * that instead for the project itself (npm 10.9+/11), so `engines` can keep
 * saying what the code runs on. Verified by hand with a real `npm ci` in a
 * fresh clone on Node 20.20.2 / npm 11.19.1 (docs in README "Which Node").
 */

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devEngines?: { runtime?: { name: string; version: string; onFail?: string } };
  devDependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };

describe('a quiet, correct first install', () => {
  it('declares the machine Node npm needs in devEngines, so the project engine (the pinned Node) is not checked against it', () => {
    expect(pkg.devEngines?.runtime).toMatchObject({ name: 'node', version: '>=20.17.0' });
    const pinned = pkg.devDependencies.node!;
    expect(pkg.engines.node).toBe(`>=${pinned.split('.')[0]}`);
  });

  it('names every package whose install script runs in allowScripts (npm 11 warns about each one it does not cover)', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ''))
      .sort();
    expect(withScripts.length).toBeGreaterThan(0);
    expect(Object.keys(pkg.allowScripts ?? {}).sort()).toEqual(withScripts);
  });
});
