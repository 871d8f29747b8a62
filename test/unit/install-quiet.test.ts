import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * Issue 17 item 9: `npm ci` and `npx hub` on a machine whose own Node is older
 * than the pinned 24 must be quiet. npm checks each package's `engines`
 * against the Node running npm (not the pinned Node the code runs on), so:
 * the project declares no `engines` of its own (the Lambda runtime is set in
 * the stack; npm scripts run on the pinned `node` devDependency), `devEngines`
 * names the oldest Node that can run npm and install the tree, and every
 * locked package must accept that Node.
 */

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines?: { node?: string };
  devEngines?: { runtime?: { name: string; version: string; onFail?: string } };
  devDependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean; engines?: { node?: string } | string[]; optional?: boolean }>;
};
const floor = semver.minVersion(pkg.devEngines?.runtime?.version ?? '')?.version ?? '';

describe('a quiet, correct first install', () => {
  it('names the oldest Node npm may install with in devEngines, and leaves the project engine to the pinned Node', () => {
    expect(pkg.devEngines?.runtime).toMatchObject({ name: 'node', onFail: 'error' });
    expect(semver.major(floor)).toBeLessThan(semver.major(pkg.devDependencies.node!));
    expect(pkg.engines?.node).toBeUndefined();
  });

  it('locks only packages that accept that oldest Node, so npm ci prints no EBADENGINE', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([, entry]) => !Array.isArray(entry.engines) && entry.engines?.node)
      .filter(([, entry]) => !semver.satisfies(floor, (entry.engines as { node: string }).node))
      .map(([path, entry]) => `${path || 'the project'} wants ${(entry.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
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
