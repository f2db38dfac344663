import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leftoverDeployDirMinAgeMs, samplesDir } from '../config.ts';
import { tempFilePrefix } from './atomicWrite.ts';
import { sweepLeftovers } from './sweepLeftovers.ts';
import { createWorkspaceStore, type WorkspaceStore } from './workspaceStore.ts';

describe('sweepLeftovers', () => {
  let base: string;
  let dataDir: string;
  let tempDir: string;
  let store: WorkspaceStore;

  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-sweep-'));
    dataDir = path.join(base, 'data');
    tempDir = path.join(base, 'tmp');
    await fs.mkdir(tempDir);
    store = createWorkspaceStore({ dataDir, samplesDir });
    await store.create('demo', 'asset-transfer-js');
  });
  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it('removes unfinished writes, half-created and half-deleted workspaces, and old deploy folders; keeps everything else', async () => {
    const root = store.dir('demo');
    const workspaces = path.join(dataDir, 'workspaces');
    const before = await fs.readdir(root, { recursive: true });
    await fs.writeFile(path.join(root, `${tempFilePrefix}0a1b2c3d4e5f`), 'half a file');
    await fs.mkdir(path.join(root, 'lib', 'deep'), { recursive: true });
    await fs.writeFile(path.join(root, 'lib', 'deep', `${tempFilePrefix}ffeeddccbbaa`), 'half a file');
    await fs.writeFile(path.join(root, 'lib', 'deep', 'kept.js'), 'kept');
    await fs.mkdir(path.join(workspaces, '.trash-old-0011aabb', 'src'), { recursive: true });
    await fs.writeFile(path.join(workspaces, '.trash-old-0011aabb', 'src', 'a.js'), 'deleted');
    await fs.mkdir(path.join(workspaces, '.tmp-new-2233ccdd'));
    // A symlink to a folder outside: swept through, never followed.
    const outside = path.join(base, 'outside');
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, `${tempFilePrefix}notours`), 'not ours');
    await fs.symlink(outside, path.join(root, 'link'));

    const oldDeploy = path.join(tempDir, 'ccs-deploy-Ab3dE9');
    await fs.mkdir(path.join(oldDeploy, 'msp', 'keystore'), { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(oldDeploy, 'msp', 'keystore', 'key_sk'), 'PRIVATE KEY');
    const youngDeploy = path.join(tempDir, 'ccs-deploy-Zz9yY8');
    await fs.mkdir(youngDeploy);
    const testFolder = path.join(tempDir, 'ccs-deploy-it-Qq1wW2');
    await fs.mkdir(testFolder);
    const nowMs = Date.now();
    const old = new Date(nowMs - leftoverDeployDirMinAgeMs - 60_000);
    for (const dir of [oldDeploy, testFolder]) await fs.utimes(dir, old, old);

    const report = await sweepLeftovers({ dataDir, tempDir, nowMs: () => nowMs });

    expect(report).toEqual({ tempFiles: 2, workspaceFolders: 2, deployFolders: 1 });
    expect(await fs.readdir(outside)).toEqual([`${tempFilePrefix}notours`]);
    // (readdir's recursive mode would follow the link.)
    await fs.unlink(path.join(root, 'link'));
    expect((await fs.readdir(root, { recursive: true })).sort()).toEqual([...before, 'lib/deep', 'lib/deep/kept.js'].sort());
    expect(await fs.readdir(workspaces)).toEqual(['demo']);
    expect((await fs.readdir(tempDir)).sort()).toEqual(['ccs-deploy-Zz9yY8', 'ccs-deploy-it-Qq1wW2']);
    expect((await store.read('demo', 'lib/deep/kept.js')).content).toBe('kept');
  });

  it('copes with a data folder that has no workspaces yet', async () => {
    const empty = path.join(base, 'empty');
    expect(await sweepLeftovers({ dataDir: empty, tempDir })).toEqual({ tempFiles: 0, workspaceFolders: 0, deployFolders: 0 });
  });
});
