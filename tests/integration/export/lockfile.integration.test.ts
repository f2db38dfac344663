/**
 * A real lockfile, resolved by npm from the public npm registry (which this
 * test needs; the offline checks are in lockfile.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockfileFor } from '../../../server/export/lockfile.ts';
import { productionManifest } from '../../../server/export/productionApp.ts';

const workspaceManifest = {
  name: 'tiny-cc',
  version: '0.1.0',
  main: 'dist/index.js',
  dependencies: { 'fabric-contract-api': '2.5.8', 'fabric-shim': '2.5.8' },
  devDependencies: { typescript: '~5.9.3' },
};

let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ccs-lockfile-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('lockfile from the npm registry', () => {
  it('is a real npm lockfile of the fabric 2.5.8 tree, cached by package.json', async () => {
    const cacheDir = path.join(work, 'lock-cache');
    const { text } = productionManifest(workspaceManifest);
    const lockfile = await lockfileFor(text, { cacheDir });
    const parsed = JSON.parse(lockfile) as {
      lockfileVersion: number;
      packages: Record<string, { version?: string; resolved?: string; integrity?: string; dependencies?: Record<string, string> }>;
    };
    expect(parsed.lockfileVersion).toBeGreaterThanOrEqual(2);
    expect(parsed.packages['']?.dependencies).toEqual(workspaceManifest.dependencies);
    for (const name of ['fabric-shim', 'fabric-contract-api']) {
      expect(parsed.packages[`node_modules/${name}`]?.version).toBe('2.5.8');
    }
    expect(parsed.packages['node_modules/@grpc/grpc-js']).toBeDefined();
    // Every package is pinned by its hash, not by a registry URL.
    for (const [key, locked] of Object.entries(parsed.packages)) {
      if (key === '') continue;
      expect(locked.integrity, key).toMatch(/^sha512-/);
      expect(locked.resolved, key).toBeUndefined();
    }

    // A second request is served from the cache: it would time out if it ran npm again.
    expect(await lockfileFor(text, { cacheDir, timeoutMs: 1 })).toBe(lockfile);
  }, 240_000);
});
