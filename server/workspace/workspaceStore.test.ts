import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maxFileBytes, maxFilesPerWorkspace, maxWorkspaceBytes, samplesDir } from '../config.ts';
import { tempFilePrefix } from './atomicWrite.ts';
import { generationsDirName, workspaceGeneration } from './workspaceGeneration.ts';
import { createWorkspaceStore, type WorkspaceStore } from './workspaceStore.ts';

const escapes = ['../x', 'a/../../x', '/etc/passwd', 'src/../../outside.txt', 'C:/x', 'src\\x', 'a\u0000b'];

describe('workspace store', () => {
  let base: string;
  let store: WorkspaceStore;
  let root: string;

  beforeEach(async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'workspace-store-')));
    store = createWorkspaceStore({ dataDir: path.join(base, 'data'), samplesDir });
    await store.create('demo', 'asset-transfer-ts');
    root = store.dir('demo');
    await fs.writeFile(path.join(base, 'outside.txt'), 'outside');
  });

  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  describe('samples and workspaces', () => {
    it('lists the samples with their studio.json', async () => {
      expect(await store.listSamples()).toEqual([
        { id: 'asset-transfer-js', title: 'Asset transfer (JavaScript)', language: 'javascript', chaincodeName: 'basic' },
        { id: 'asset-transfer-ts', title: 'Asset transfer (TypeScript)', language: 'typescript', chaincodeName: 'basic' },
        { id: 'asset-transfer-go', title: 'Asset transfer (Go)', language: 'go', chaincodeName: 'basic' },
      ]);
    });

    it('creates a workspace from the TypeScript sample', async () => {
      expect(root).toBe(path.join(base, 'data', 'workspaces', 'demo'));
      const paths = (await store.listFiles('demo')).map((f) => f.path);
      expect(paths).toEqual([
        'package.json',
        'src',
        'src/asset.ts',
        'src/assetTransferContract.ts',
        'src/index.ts',
        'src/json.ts',
        'studio.json',
        'tsconfig.json',
      ]);
      const original = await fs.readFile(path.join(samplesDir, 'asset-transfer-ts', 'src', 'assetTransferContract.ts'), 'utf8');
      expect((await store.read('demo', 'src/assetTransferContract.ts')).content).toBe(original);
    });

    it('knows an imported Go module by its go.mod', async () => {
      await store.createFromFiles('go-import', [
        { path: 'go.mod', content: new TextEncoder().encode('module example.com/x\n') },
        { path: 'main.go', content: new TextEncoder().encode('package main\n') },
      ]);
      expect((await store.list()).find((w) => w.id === 'go-import')?.language).toBe('go');
    });

    it('creates a workspace from the JavaScript sample', async () => {
      await store.create('js-demo', 'asset-transfer-js');
      const files = await store.listFiles('js-demo');
      expect(files).toContainEqual({ path: 'lib/assetTransferContract.js', kind: 'file', size: expect.any(Number) });
      expect(files).toContainEqual({ path: 'index.js', kind: 'file', size: expect.any(Number) });
      const list = await store.list();
      expect(list.map((w) => [w.id, w.language])).toEqual([
        ['demo', 'typescript'],
        ['js-demo', 'javascript'],
      ]);
      expect(Date.parse(list[0]?.modified ?? '')).toBeGreaterThan(Date.now() - 60_000);
    });

    it('refuses a taken name, an unknown sample and a bad name', async () => {
      await expect(store.create('demo', 'asset-transfer-js')).rejects.toMatchObject({ code: 'already_exists', message: expect.stringContaining('"demo"') });
      await expect(store.create('other', 'no-such-sample')).rejects.toMatchObject({ code: 'not_found' });
      await expect(store.create('../evil', 'asset-transfer-ts')).rejects.toMatchObject({ code: 'bad_path' });
      await expect(store.create('Upper', 'asset-transfer-ts')).rejects.toMatchObject({ code: 'bad_path' });
      expect(await store.exists('other')).toBe(false);
      expect((await store.list()).map((w) => w.id)).toEqual(['demo']);
    });

    it('gives each created workspace a new generation, kept outside it, and forgets it on delete', async () => {
      const dataDir = path.join(base, 'data');
      const first = await workspaceGeneration(dataDir, 'demo');
      expect(first).toMatch(/^[0-9a-f]{32}$/);
      expect(await workspaceGeneration(dataDir, 'demo')).toBe(first);
      expect(JSON.stringify(await store.listFiles('demo'))).not.toContain(first);
      await store.delete('demo');
      expect(await workspaceGeneration(dataDir, 'demo')).toBeUndefined();
      await store.create('demo', 'asset-transfer-ts');
      const second = await workspaceGeneration(dataDir, 'demo');
      expect(second).toMatch(/^[0-9a-f]{32}$/);
      expect(second).not.toBe(first);
      expect(await workspaceGeneration(dataDir, 'nope')).toBeUndefined();
      expect(await workspaceGeneration(dataDir, '../data')).toBeUndefined();
    });

    it('gives a workspace from before generations one on first use', async () => {
      const dataDir = path.join(base, 'data');
      await fs.rm(path.join(dataDir, generationsDirName), { recursive: true });
      const made = await Promise.all([workspaceGeneration(dataDir, 'demo'), workspaceGeneration(dataDir, 'demo')]);
      expect(made[0]).toMatch(/^[0-9a-f]{32}$/);
      expect(made[1]).toBe(made[0]);
      expect(await workspaceGeneration(dataDir, 'demo')).toBe(made[0]);
    });

    it('deletes a workspace', async () => {
      await store.delete('demo');
      expect(await store.exists('demo')).toBe(false);
      expect(await store.list()).toEqual([]);
      expect(await fs.readdir(path.join(base, 'data', 'workspaces'))).toEqual([]);
      await expect(store.delete('demo')).rejects.toMatchObject({ code: 'not_found' });
      await expect(store.read('demo', 'package.json')).rejects.toMatchObject({ code: 'not_found' });
    });
  });

  describe('files', () => {
    it('reads and writes with a content version', async () => {
      const written = await store.write('demo', 'src/extra.ts', 'export const x = 1;\n');
      expect(written.version).toMatch(/^[0-9a-f]{16}$/);
      const read = await store.read('demo', 'src/extra.ts');
      expect(read).toEqual({ path: 'src/extra.ts', content: 'export const x = 1;\n', version: written.version });
      const changed = await store.write('demo', 'src/extra.ts', 'export const x = 2;\n');
      expect(changed.version).not.toBe(written.version);
      expect(await fs.readdir(path.join(root, 'src'))).not.toContainEqual(expect.stringMatching(/^\.studio-tmp-/));
    });

    it('creates missing parent folders on write', async () => {
      await store.write('demo', 'src/models/deep/thing.ts', 'x');
      expect(await fs.readFile(path.join(root, 'src/models/deep/thing.ts'), 'utf8')).toBe('x');
    });

    it('creates files and folders, refusing ones that exist', async () => {
      await store.createEntry('demo', 'src/empty.ts', 'file');
      await store.createEntry('demo', 'test/unit', 'dir');
      expect((await store.read('demo', 'src/empty.ts')).content).toBe('');
      expect((await fs.stat(path.join(root, 'test/unit'))).isDirectory()).toBe(true);
      await expect(store.createEntry('demo', 'src/empty.ts', 'dir')).rejects.toMatchObject({ code: 'already_exists' });
      await expect(store.createEntry('demo', 'src', 'dir')).rejects.toMatchObject({ code: 'already_exists' });
    });

    it('renames and moves files and folders across folders', async () => {
      expect(await store.rename('demo', 'src/asset.ts', 'src/models/asset.ts')).toEqual({ from: 'src/asset.ts', to: 'src/models/asset.ts' });
      expect((await store.read('demo', 'src/models/asset.ts')).content).toContain('class Asset');
      await expect(store.read('demo', 'src/asset.ts')).rejects.toMatchObject({ code: 'not_found' });

      await store.rename('demo', 'src/models', 'lib/models');
      expect((await store.read('demo', 'lib/models/asset.ts')).content).toContain('class Asset');

      await expect(store.rename('demo', 'src/index.ts', 'src/json.ts')).rejects.toMatchObject({ code: 'already_exists' });
      expect((await store.read('demo', 'src/json.ts')).content).toContain('sortedJson');
      await expect(store.rename('demo', 'lib', 'lib/inner/lib')).rejects.toMatchObject({ code: 'bad_path' });
      await expect(store.rename('demo', 'nope.ts', 'yes.ts')).rejects.toMatchObject({ code: 'not_found' });
    });

    it('removes files and folders', async () => {
      await store.remove('demo', 'src/json.ts');
      await expect(fs.access(path.join(root, 'src/json.ts'))).rejects.toThrow();
      await store.remove('demo', 'src');
      expect((await store.listFiles('demo')).map((f) => f.path)).toEqual(['package.json', 'studio.json', 'tsconfig.json']);
      await expect(store.remove('demo', 'src')).rejects.toMatchObject({ code: 'not_found' });
    });

    it('leaves node_modules, .git, dist and .studio out of listings and refuses .studio', async () => {
      for (const dir of ['node_modules/x', '.git', 'dist', '.studio', 'src/node_modules']) await fs.mkdir(path.join(root, dir), { recursive: true });
      const paths = (await store.listFiles('demo')).map((f) => f.path);
      expect(paths.filter((p) => /node_modules|\.git|dist|\.studio/.test(p))).toEqual([]);
      await expect(store.write('demo', '.studio/state.json', '{}')).rejects.toMatchObject({ code: 'bad_path', message: expect.stringContaining('reserved') });
      await expect(store.write('demo', 'src/.studio-tmp-abc', 'x')).rejects.toMatchObject({ code: 'bad_path' });
    });

    it('refuses folders where files are expected', async () => {
      await expect(store.read('demo', 'src')).rejects.toMatchObject({ code: 'bad_path', message: expect.stringContaining('is a folder') });
      await expect(store.write('demo', 'src', 'x')).rejects.toMatchObject({ code: 'bad_path' });
    });

    it('serialises concurrent writes to one file', async () => {
      const contents = Array.from({ length: 20 }, (_, i) => `version ${i}\n`);
      await Promise.all(contents.map((c) => store.write('demo', 'src/race.ts', c)));
      expect(contents).toContain((await store.read('demo', 'src/race.ts')).content);
      expect((await fs.readdir(path.join(root, 'src'))).filter((n) => n.startsWith('.studio-tmp-'))).toEqual([]);
    });
  });

  describe('confinement', () => {
    const operations: [string, (rel: string) => Promise<unknown>][] = [
      ['read', (rel) => store.read('demo', rel)],
      ['write', (rel) => store.write('demo', rel, 'pwned')],
      ['createEntry file', (rel) => store.createEntry('demo', rel, 'file')],
      ['createEntry dir', (rel) => store.createEntry('demo', rel, 'dir')],
      ['rename from', (rel) => store.rename('demo', rel, 'src/moved.ts')],
      ['rename to', (rel) => store.rename('demo', 'src/json.ts', rel)],
      ['remove', (rel) => store.remove('demo', rel)],
    ];

    it.each(operations.flatMap(([name, op]) => escapes.map((rel) => [name, rel, op] as const)))('%s refuses %j', async (_name, rel, op) => {
      await expect(op(rel)).rejects.toMatchObject({ code: 'bad_path' });
      expect(await fs.readFile(path.join(base, 'outside.txt'), 'utf8')).toBe('outside');
      expect(await fs.readdir(base)).toEqual(['data', 'outside.txt']);
      await expect(fs.access(path.join(root, 'src/json.ts'))).resolves.toBeUndefined();
    });

    it('treats %2e%2e as a plain name', async () => {
      await store.write('demo', '%2e%2e/%2e%2e', 'literal');
      expect(await fs.readFile(path.join(root, '%2e%2e', '%2e%2e'), 'utf8')).toBe('literal');
      expect((await store.read('demo', '%2e%2e/%2e%2e')).content).toBe('literal');
    });

    it.each(operations)('%s refuses a symlink to /etc inside the workspace', async (_name, op) => {
      await fs.symlink('/etc', path.join(root, 'etc'));
      for (const rel of ['etc', 'etc/passwd', 'etc/studio-test-file']) {
        await expect(op(rel)).rejects.toMatchObject({ code: 'bad_path', message: expect.stringContaining('symbolic link') });
      }
      await expect(fs.access('/etc/studio-test-file')).rejects.toThrow();
      expect((await store.listFiles('demo')).map((f) => f.path)).not.toContain('etc');
    });

    it.each(operations)('%s refuses a symlinked parent folder', async (_name, op) => {
      await fs.mkdir(path.join(base, 'elsewhere'));
      await fs.writeFile(path.join(base, 'elsewhere', 'file.ts'), 'elsewhere');
      await fs.symlink(path.join(base, 'elsewhere'), path.join(root, 'src', 'linked'));
      await expect(op('src/linked/file.ts')).rejects.toMatchObject({ code: 'bad_path' });
      expect(await fs.readdir(path.join(base, 'elsewhere'))).toEqual(['file.ts']);
      expect(await fs.readFile(path.join(base, 'elsewhere', 'file.ts'), 'utf8')).toBe('elsewhere');
    });

    it('refuses to read or write a symlinked file', async () => {
      await fs.symlink(path.join(base, 'outside.txt'), path.join(root, 'src', 'outside.ts'));
      await expect(store.read('demo', 'src/outside.ts')).rejects.toMatchObject({ code: 'bad_path' });
      await expect(store.write('demo', 'src/outside.ts', 'pwned')).rejects.toMatchObject({ code: 'bad_path' });
      expect(await fs.readFile(path.join(base, 'outside.txt'), 'utf8')).toBe('outside');
    });
  });

  describe('node_modules', () => {
    const placing: [string, (rel: string) => Promise<unknown>][] = [
      ['write', (rel) => store.write('demo', rel, 'module.exports = 1;')],
      ['createEntry file', (rel) => store.createEntry('demo', rel, 'file')],
      ['createEntry dir', (rel) => store.createEntry('demo', rel, 'dir')],
      ['rename to', (rel) => store.rename('demo', 'src/json.ts', rel)],
    ];
    const inside = ['node_modules', 'node_modules/left-pad/index.js', 'src/node_modules/x.js', 'a/b/node_modules/c/d.ts'];

    it.each(placing.flatMap(([name, op]) => inside.map((rel) => [name, rel, op] as const)))('%s refuses %j and says to use package.json', async (_name, rel, op) => {
      await expect(op(rel)).rejects.toMatchObject({ code: 'bad_path', message: expect.stringMatching(/installed from package\.json.*add the package to package\.json/) });
      await expect(fs.access(path.join(root, rel))).rejects.toThrow();
      await expect(fs.access(path.join(root, 'src/json.ts'))).resolves.toBeUndefined();
    });

    it('still accepts names that only look alike', async () => {
      await store.write('demo', 'node_modules2/x.ts', 'a');
      await store.createEntry('demo', 'src/my-node_modules', 'dir');
      expect((await store.listFiles('demo')).map((f) => f.path)).toEqual(expect.arrayContaining(['node_modules2/x.ts', 'src/my-node_modules']));
    });
  });

  describe('content rules', () => {
    it('refuses binary files on read', async () => {
      await fs.writeFile(path.join(root, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
      await expect(store.read('demo', 'image.png')).rejects.toMatchObject({ code: 'bad_file', message: expect.stringContaining('image.png') });
      await fs.writeFile(path.join(root, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      await expect(store.read('demo', 'latin1.txt')).rejects.toMatchObject({ code: 'bad_file', message: expect.stringContaining('UTF-8') });
    });

    it('refuses binary content on write', async () => {
      await expect(store.write('demo', 'src/nul.ts', 'a\u0000b')).rejects.toMatchObject({ code: 'bad_file' });
      await expect(store.write('demo', 'src/surrogate.ts', 'a\ud800b')).rejects.toMatchObject({ code: 'bad_file' });
      await expect(fs.access(path.join(root, 'src/nul.ts'))).rejects.toThrow();
    });

    it('keeps a byte order mark and multi-byte text intact', async () => {
      const text = '\ufeff// 日本語 and emoji 🎉\n';
      const { version } = await store.write('demo', 'src/bom.ts', text);
      expect(await store.read('demo', 'src/bom.ts')).toEqual({ path: 'src/bom.ts', content: text, version });
    });

    it('refuses oversize files on write and read', async () => {
      await expect(store.write('demo', 'src/big.ts', 'x'.repeat(maxFileBytes + 1))).rejects.toMatchObject({ code: 'bad_file', message: expect.stringContaining('limit') });
      await store.write('demo', 'src/just-fits.ts', 'x'.repeat(maxFileBytes));
      await fs.writeFile(path.join(root, 'big.txt'), Buffer.alloc(maxFileBytes + 1, 0x61));
      await expect(store.read('demo', 'big.txt')).rejects.toMatchObject({ code: 'bad_file' });
    });

    it('limits the number of files in a workspace', async () => {
      const existing = (await store.listFiles('demo')).length;
      await fs.mkdir(path.join(root, 'many'));
      await Promise.all(Array.from({ length: maxFilesPerWorkspace - existing - 1 }, (_, i) => fs.writeFile(path.join(root, 'many', `f${i}`), '')));
      await expect(store.createEntry('demo', 'one-more.ts', 'file')).rejects.toMatchObject({ code: 'limit' });
      await expect(store.write('demo', 'one-more.ts', 'x')).rejects.toMatchObject({ code: 'limit' });
      // Replacing a file that exists adds nothing.
      await store.write('demo', 'src/index.ts', 'export const contracts = [];\n');
      await fs.rm(path.join(root, 'many', 'f0'));
      await store.write('demo', 'one-more.ts', 'x');
    });

    it('limits the total size of a workspace', async () => {
      await fs.mkdir(path.join(root, 'blobs'));
      const count = Math.floor(maxWorkspaceBytes / maxFileBytes);
      await Promise.all(Array.from({ length: count }, (_, i) => fs.writeFile(path.join(root, 'blobs', `b${i}`), Buffer.alloc(maxFileBytes, 0x61))));
      await expect(store.write('demo', 'src/more.ts', 'x'.repeat(1000))).rejects.toMatchObject({ code: 'limit', message: expect.stringContaining('src/more.ts') });
      // Shrinking a file is always allowed.
      await store.write('demo', 'src/index.ts', '');
    });

    it('does not count temporary files a crash left behind against the limits', async () => {
      const existing = (await store.listFiles('demo')).length;
      await fs.mkdir(path.join(root, 'many'));
      await Promise.all(Array.from({ length: maxFilesPerWorkspace - existing - 3 }, (_, i) => fs.writeFile(path.join(root, 'many', `f${i}`), '')));
      // Big enough that, counted, either one would take the workspace over both limits.
      await fs.writeFile(path.join(root, `${tempFilePrefix}a1b2c3`), Buffer.alloc(maxWorkspaceBytes, 0x61));
      await fs.writeFile(path.join(root, 'src', `${tempFilePrefix}d4e5f6`), Buffer.alloc(maxFileBytes, 0x61));
      await store.write('demo', 'one-more.ts', 'x');
      await store.createEntry('demo', 'last.ts', 'file');
      await expect(store.createEntry('demo', 'too-many.ts', 'file')).rejects.toMatchObject({ code: 'limit' });
    });

    it('stores unicode names NFC-normalised', async () => {
      await store.write('demo', 'src/cafe\u0301.ts', 'nfd');
      expect(await fs.readdir(path.join(root, 'src'))).toContain('caf\u00e9.ts');
      expect((await store.read('demo', 'src/caf\u00e9.ts')).content).toBe('nfd');
      await store.createEntry('demo', '資料/データ.ts', 'file');
      await store.rename('demo', '資料', 'données');
      const paths = (await store.listFiles('demo')).map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['src/caf\u00e9.ts', 'données', 'données/データ.ts']));
    });
  });
});
