import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataSubdirNames, prepareDataDir, tokenFileName } from './dataDir.ts';

const modeOf = async (p: string) => (await fs.stat(p)).mode & 0o777;

describe('prepareDataDir', () => {
  let base: string;
  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-datadir-'));
  });
  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it('creates the data folder and its top folders readable by the server user only', async () => {
    const dataDir = path.join(base, 'nested', 'data');
    await prepareDataDir(dataDir);
    expect(await modeOf(dataDir)).toBe(0o700);
    expect([...dataSubdirNames].sort()).toEqual(['builds', 'disks', 'exports', 'workspace-generations', 'workspaces']);
    for (const name of dataSubdirNames) expect(await modeOf(path.join(dataDir, name)), name).toBe(0o700);
  });

  it('tightens a world-readable data folder and token file left by an older version', async () => {
    const dataDir = path.join(base, 'data');
    await fs.mkdir(path.join(dataDir, 'workspaces', 'demo'), { recursive: true, mode: 0o777 });
    await fs.chmod(dataDir, 0o755);
    await fs.chmod(path.join(dataDir, 'workspaces'), 0o775);
    await fs.writeFile(path.join(dataDir, tokenFileName), 'secret\n', { mode: 0o644 });
    await fs.chmod(path.join(dataDir, tokenFileName), 0o644);
    await prepareDataDir(dataDir);
    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(path.join(dataDir, 'workspaces'))).toBe(0o700);
    expect(await modeOf(path.join(dataDir, tokenFileName))).toBe(0o600);
    expect(await fs.readFile(path.join(dataDir, tokenFileName), 'utf8')).toBe('secret\n');
    expect(await fs.readdir(path.join(dataDir, 'workspaces'))).toEqual(['demo']);
  });
});
