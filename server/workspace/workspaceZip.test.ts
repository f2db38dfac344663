import { strFromU8, unzipSync } from 'fflate';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { samplesDir } from '../config.ts';
import { studioDirName } from './workspaceFolder.ts';
import { createWorkspaceStore, type WorkspaceStore } from './workspaceStore.ts';
import { zipWorkspace } from './workspaceZip.ts';

let base: string;
let store: WorkspaceStore;

beforeEach(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'workspace-zip-')));
  store = createWorkspaceStore({ dataDir: path.join(base, 'data'), samplesDir });
  await store.create('demo', 'asset-transfer-ts');
});

afterEach(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

describe('workspace zip', () => {
  it('holds exactly the files the store lists, with their content, and empty folders as folders', async () => {
    await store.write('demo', 'test/deep/unit.ts', 'export const ünïcode = "✓";\n');
    await store.createEntry('demo', 'empty', 'dir');
    const root = store.dir('demo');
    for (const hidden of ['node_modules/x', '.git', 'dist', studioDirName]) {
      await fs.mkdir(path.join(root, hidden), { recursive: true });
      await fs.writeFile(path.join(root, hidden, 'hidden.txt'), 'must not be zipped');
    }

    const unzipped = unzipSync(await zipWorkspace(store, 'demo'));

    const expected: Record<string, string> = {};
    for (const entry of await store.listFiles('demo')) {
      if (entry.kind === 'file') expected[entry.path] = (await store.read('demo', entry.path)).content;
    }
    const files = Object.fromEntries(
      Object.entries(unzipped)
        .filter(([name]) => !name.endsWith('/'))
        .map(([name, bytes]) => [name, strFromU8(bytes)]),
    );
    expect(files).toEqual(expected);
    expect(files['test/deep/unit.ts']).toBe('export const ünïcode = "✓";\n');
    expect(Object.keys(unzipped).filter((name) => name.endsWith('/'))).toEqual(['empty/']);
    expect(Object.keys(unzipped).some((name) => name.includes('hidden.txt'))).toBe(false);
  });

  it('refuses a workspace that does not exist', async () => {
    await expect(zipWorkspace(store, 'nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});
