/**
 * STUDIO_FABRIC_COMMIT on the real Go toolchain: the Fabric commands are built
 * from a copy of our module that requires the named commit, and report it.
 * Offline (GOPROXY=off): this machine's proxy refuses every Fabric commit after
 * v2.5.0, so the commit named is the pinned one (nothing to resolve); a commit
 * that must be resolved fails with a message naming the setting.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const cache = vi.hoisted(() => {
  // Its own cache dir: the binaries built here do not replace the ones the suite uses.
  const dir = `${process.env.TMPDIR ?? '/tmp'}/ccs-fabric-commit-${process.pid}`;
  process.env.STUDIO_CACHE_DIR = dir;
  // Nothing is fetched: a commit the module cache does not hold fails.
  process.env.GOPROXY = 'off';
  return dir;
});

import { ensureFabricBinaries } from '../../../server/sandbox/image/buildImage.ts';

const pinnedVersion = 'v1.4.0-rc1.0.20230401164317-bd8e24856939';

afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
});

describe('building Fabric from STUDIO_FABRIC_COMMIT', () => {
  it('builds the commands from a module requiring that version, and they report its commit', async () => {
    const { binDir } = await ensureFabricBinaries(() => undefined, 'bd8e24856939');
    expect(binDir.startsWith(cache)).toBe(true);
    const goMod = readFileSync(path.join(cache, 'fabric-module', 'bd8e24856939', 'go.mod'), 'utf8');
    expect(goMod).toContain(`github.com/hyperledger/fabric ${pinnedVersion}`);
    const version = execFileSync(path.join(binDir, 'peer'), ['version'], { encoding: 'utf8' });
    expect(version).toMatch(/Version: 2\.5\.0/);
    expect(version).toMatch(/Commit SHA: bd8e24856939/);
    // The stable path tools use holds the same build.
    expect(readFileSync(path.join(cache, 'fabric', 'bin', '.pin'), 'utf8')).toBe(path.basename(path.dirname(binDir)));
  });

  it('names the setting and the proxy when the commit cannot be had', async () => {
    await expect(ensureFabricBinaries(() => undefined, 'ffffffffffffffffffffffffffffffffffffffff')).rejects.toThrow(/STUDIO_FABRIC_COMMIT=ffff.*does your module proxy serve this Fabric commit/s);
  });
});
