import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { samplesDir, searchMatchesPerFileMax } from '../config.ts';
import { searchWorkspace } from './searchFiles.ts';
import { createWorkspaceStore, type WorkspaceStore } from './workspaceStore.ts';

describe('searchWorkspace', () => {
  let base: string;
  let store: WorkspaceStore;

  beforeEach(async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'search-files-')));
    store = createWorkspaceStore({ dataDir: path.join(base, 'data'), samplesDir });
    await store.create('demo', 'asset-transfer-ts');
  });
  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it('finds every line that holds the text, across files, without regard to case unless asked', async () => {
    await store.write('demo', 'src/notes.ts', '// nothing here\nconst owner = "TOM";\n');
    const found = await searchWorkspace(store, 'demo', { query: 'owner = "tom"' });
    expect(found).toEqual({ matches: [{ path: 'src/notes.ts', line: 2, column: 7, preview: 'const owner = "TOM";' }], truncated: false, skipped: 0 });
    expect((await searchWorkspace(store, 'demo', { query: 'owner = "tom"', caseSensitive: true })).matches).toEqual([]);
    const assets = await searchWorkspace(store, 'demo', { query: 'CreateAsset' });
    expect(new Set(assets.matches.map((m) => m.path))).toContain('src/assetTransferContract.ts');
  });

  it('stops at the per-file bound and says so, and skips binary files', async () => {
    await store.write('demo', 'src/many.ts', Array.from({ length: searchMatchesPerFileMax + 3 }, (_, i) => `hit ${i}`).join('\n'));
    await fs.writeFile(path.join(store.dir('demo'), 'blob.bin'), Buffer.from([0x68, 0x69, 0x74, 0, 1, 2]));
    const found = await searchWorkspace(store, 'demo', { query: 'hit' });
    expect(found.matches.filter((m) => m.path === 'src/many.ts')).toHaveLength(searchMatchesPerFileMax);
    expect(found.truncated).toBe(true);
    expect(found.skipped).toBe(1);
  });
});
