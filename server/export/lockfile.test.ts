/**
 * The lockfile's checks that need no network: refused dependency specs, a
 * deadline, an unreachable registry (on loopback). Resolving a real tree
 * from the npm registry is in lockfile.integration.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.ts';
import { lockfileFor } from './lockfile.ts';

// Nothing listens on port 9 of loopback: an npm that got as far as fetching fails at once, on this machine.
const deadRegistry = 'http://127.0.0.1:9/';
const manifest = (dependencies: Record<string, string>) => JSON.stringify({ name: 'tiny-cc', version: '0.1.0', dependencies });

let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ccs-lockfile-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('lockfile', () => {
  it('refuses dependencies that are not registry packages, naming them, before npm runs', async () => {
    for (const [spec, kind] of [
      ['git+http://127.0.0.1:9/evil.git', 'a git repository'],
      ['file:../evil', 'a local path'],
      ['http://127.0.0.1:9/evil.tgz', 'a URL'],
      ['npm:fabric-shim@2.5.8', 'an npm alias'],
      ['user/evil', 'a GitHub user/repo shorthand'],
    ] as const) {
      const cacheDir = path.join(work, 'refused');
      await expect(lockfileFor(manifest({ 'fabric-shim': '2.5.8', evil: spec }), { cacheDir, registry: deadRegistry }), spec).rejects.toMatchObject({
        code: ErrorCode.Export,
        message: expect.stringContaining(`The dependency "evil": ${JSON.stringify(spec)} in "dependencies" is ${kind}`),
      });
      expect(existsSync(cacheDir)).toBe(false);
    }
  });

  it('fails with a clear error when npm cannot finish in time or reach the registry', async () => {
    const text = manifest({ 'fabric-shim': '2.5.8' });
    await expect(lockfileFor(text, { cacheDir: path.join(work, 'c1'), registry: deadRegistry, timeoutMs: 1 })).rejects.toMatchObject({
      code: ErrorCode.Export,
      message: expect.stringMatching(/did not resolve the chaincode's dependencies within/),
    });
    await expect(lockfileFor(text, { cacheDir: path.join(work, 'c2'), registry: deadRegistry })).rejects.toMatchObject({
      code: ErrorCode.Export,
      message: expect.stringMatching(/could not resolve the chaincode's dependencies/),
    });
    expect(existsSync(path.join(work, 'c2'))).toBe(false);
    // Two npm runs: seconds each on a busy machine.
  }, 60_000);
});
