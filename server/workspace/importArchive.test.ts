/**
 * Imports real archives built here (fflate, tar-stream, zlib) into a real store in a temp folder:
 * what is kept, what is skipped and why, that nothing lands outside the workspace, that bombs and
 * oversize projects stop early at a named limit, and that a failed import leaves no workspace.
 */
import { zipSync, type Zippable } from 'fflate';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buffer } from 'node:stream/consumers';
import { createDeflateRaw, createGzip, gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestParams, type ImportSkipped } from '../../protocol/messages.ts';
import { maxFilesPerWorkspace, maxImportExpandedBytes, maxWorkspaceBytes, samplesDir } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { importWorkspace, readZip } from './importArchive.ts';
import { createWorkspaceStore, type WorkspaceStore } from './workspaceStore.ts';

const mib = 1024 * 1024;
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);

let base: string;
let store: WorkspaceStore;

beforeEach(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'import-archive-')));
  store = createWorkspaceStore({ dataDir: path.join(base, 'data'), samplesDir });
  await fs.writeFile(path.join(base, 'canary.txt'), 'canary');
});

afterEach(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

const text = (s: string) => Buffer.from(s, 'utf8');
const zipOf = (files: Record<string, Uint8Array>) => Buffer.from(zipSync(files as Zippable, { level: 6 }));
const importZip = (name: string, zip: Uint8Array) => importWorkspace(store, { name, archive: { kind: 'zip', base64: Buffer.from(zip).toString('base64') } });
const importTarGz = (name: string, tgz: Uint8Array) => importWorkspace(store, { name, archive: { kind: 'tar.gz', base64: Buffer.from(tgz).toString('base64') } });

async function tarGzOf(entries: { header: Partial<Header> & { name: string }; content?: string }[]): Promise<Buffer> {
  const tar = pack();
  for (const { header, content } of entries) tar.entry(header, content ?? '');
  tar.finalize();
  return gzipSync(await buffer(tar));
}

async function filesOf(id: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await store.listFiles(id)) {
    if (entry.kind === 'file') files[entry.path] = (await store.read(id, entry.path)).content;
  }
  return files;
}

async function limitError(work: Promise<unknown>): Promise<StudioError> {
  const err = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(err).toBeInstanceOf(StudioError);
  expect((err as StudioError).code).toBe(ErrorCode.Limit);
  return err as StudioError;
}

/** A zip written by hand, so an entry can declare sizes its data does not match. */
function handMadeZip(entries: { name: string; deflated: Buffer; declaredBytes: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, deflated, declaredBytes } of entries) {
    const nameBytes = text(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(declaredBytes, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(declaredBytes, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, deflated);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** `megabytes` MiB of one repeated byte (text, unless it is 0), one MiB at a time. */
function filledStream(megabytes: number, byte = 0): Readable {
  const chunk = Buffer.alloc(mib, byte);
  return Readable.from(Array.from({ length: megabytes }, () => chunk));
}

/** `megabytes` MiB of one repeated byte, raw-deflated without holding them all in memory. */
async function deflatedFill(megabytes: number, byte = 0): Promise<Buffer> {
  return buffer(filledStream(megabytes, byte).pipe(createDeflateRaw({ level: 9 })));
}

/** Every path under the test's temp folder but inside the workspaces, so a write outside one shows. */
async function outsideWorkspaces(): Promise<string[]> {
  const all = (await fs.readdir(base, { recursive: true })).map(String);
  return all.filter((p) => p !== path.join('data', 'workspaces') && !p.startsWith(path.join('data', 'workspaces', ''))).sort();
}

/** What creating workspace `id` adds outside the workspaces folder: its generation file. */
function withGeneration(before: string[], id: string): string[] {
  const added = ['data', path.join('data', 'workspace-generations'), path.join('data', 'workspace-generations', id)];
  return [...new Set([...before, ...added])].sort();
}

describe('importing a zip', () => {
  it('strips the GitHub wrapper folder and leaves dependencies, history, output, secrets and binaries out', async () => {
    const zip = zipOf({
      'repo-main/package.json': text('{"name":"demo"}'),
      'repo-main/src/index.ts': text('export const x = 1;\n'),
      'repo-main/src/build/helper.ts': text('export {};\n'),
      'repo-main/node_modules/a/index.js': text('a'),
      'repo-main/node_modules/a/package.json': text('{}'),
      'repo-main/node_modules/b/index.js': text('b'),
      'repo-main/.git/HEAD': text('ref: refs/heads/main\n'),
      'repo-main/.git/config': text('[core]\n'),
      'repo-main/dist/index.js': text('compiled'),
      'repo-main/.env': text('SECRET=1'),
      'repo-main/npm-debug.log': text('log'),
      'repo-main/.DS_Store': text('x'),
      'repo-main/logo.png': png,
    });
    const result = await importZip('demo', zip);
    expect(result.workspace).toBe('demo');
    expect(result.imported).toBe(3);
    expect(await filesOf('demo')).toEqual({
      'package.json': '{"name":"demo"}',
      'src/index.ts': 'export const x = 1;\n',
      'src/build/helper.ts': 'export {};\n',
    });
    expect(sortSkipped(result.skipped)).toEqual(
      sortSkipped([
        { path: 'node_modules/', reason: 'dependencies', files: 3 },
        { path: '.git/', reason: 'version-control', files: 2 },
        { path: 'dist/', reason: 'build-output', files: 1 },
        { path: '.env', reason: 'secret', files: 1 },
        { path: 'npm-debug.log', reason: 'log', files: 1 },
        { path: '.DS_Store', reason: 'os-metadata', files: 1 },
        { path: 'logo.png', reason: 'binary', files: 1 },
      ]),
    );
  });

  it('skips unsafe paths, whatever their separators, and writes nothing outside the workspace', async () => {
    const before = await outsideWorkspaces();
    const zip = zipOf({ 'package.json': text('{}'), 'src/ok.ts': text('ok'), '../evil': text('evil'), '..\\evil2': text('evil'), '/etc/x': text('x'), 'C:/x': text('x'), 'a\u0000b': text('x') });
    const result = await importZip('safe', zip);
    expect(await filesOf('safe')).toEqual({ 'package.json': '{}', 'src/ok.ts': 'ok' });
    expect(result.skipped.filter((s) => s.reason === 'unsafe-path').map((s) => s.path).sort()).toEqual(['../evil', '..\\\\evil2', '/etc/x', 'C:/x', 'a\\u0000b'].sort());
    expect(await outsideWorkspaces()).toEqual(withGeneration(before, 'safe'));
    expect(await fs.readFile(path.join(base, 'canary.txt'), 'utf8')).toBe('canary');
  });

  it('stops a bomb of many honest 1 MiB entries at the workspace size limit, early', async () => {
    const oneMib = await deflatedFill(1, 0x61);
    const zip = handMadeZip(Array.from({ length: 200 }, (_, i) => ({ name: `src/f${i}.txt`, deflated: oneMib, declaredBytes: mib })));
    const started = performance.now();
    const err = await limitError(importZip('bomb', zip));
    expect(err.message).toContain(String(maxWorkspaceBytes));
    // Inflating all 200 MiB takes several times longer than stopping after the first 20.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await store.exists('bomb')).toBe(false);
  });

  it('stops an entry that expands past what it declares within one slice, without inflating 200 MiB', async () => {
    const zip = handMadeZip([{ name: 'src/small.txt', deflated: await deflatedFill(200), declaredBytes: 1000 }]);
    const started = performance.now();
    const heapBefore = process.memoryUsage().arrayBuffers;
    const err = await limitError(Promise.resolve().then(() => readZip(zip)));
    expect(err.message).toContain('declares 1000 bytes');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(64 * mib);
  });

  it('refuses a project with more files than a workspace holds, naming the limit', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i <= maxFilesPerWorkspace; i++) files[`src/f${i}.ts`] = text(`export const n = ${i};\n`);
    const err = await limitError(importZip('many', zipOf(files)));
    expect(err.message).toContain(`at most ${maxFilesPerWorkspace} files`);
    expect(await store.exists('many')).toBe(false);
  });

  it('leaves no workspace and no hidden folder when an entry fails halfway through', async () => {
    const zip = zipOf({ 'a.ts': text('a'.repeat(5000)), 'b.ts': text('b'.repeat(5000)) });
    const second = zip.indexOf(text('b.ts')) + 4;
    zip.fill(0xff, second, second + 40);
    const err = await importZip('broken', zip).catch((caught: unknown) => caught);
    expect((err as StudioError).code).toBe(ErrorCode.BadFile);
    expect(await store.exists('broken')).toBe(false);
    expect(await fs.readdir(path.join(base, 'data', 'workspaces')).catch(() => [])).toEqual([]);
  });

  it('refuses to import over an existing workspace', async () => {
    await importZip('twice', zipOf({ 'a.ts': text('a') }));
    const err = await importZip('twice', zipOf({ 'b.ts': text('b') })).catch((caught: unknown) => caught);
    expect((err as StudioError).code).toBe(ErrorCode.AlreadyExists);
    expect(await filesOf('twice')).toEqual({ 'a.ts': 'a' });
  });
});

describe('importing a tar.gz', () => {
  it('strips the wrapper, skips node_modules, .git, links, devices and unsafe paths, and writes nothing outside', async () => {
    const before = await outsideWorkspaces();
    const tgz = await tarGzOf([
      { header: { name: 'proj/', type: 'directory' } },
      { header: { name: 'proj/package.json' }, content: '{}' },
      { header: { name: 'proj/src/index.js' }, content: 'module.exports = {};\n' },
      { header: { name: 'proj/node_modules/x/index.js' }, content: 'x' },
      { header: { name: 'proj/.git/HEAD' }, content: 'ref' },
      { header: { name: 'proj/src/link', type: 'symlink', linkname: '/etc/passwd' } },
      { header: { name: 'proj/src/hard', type: 'link', linkname: 'proj/package.json' } },
      { header: { name: 'proj/dev', type: 'character-device' } },
      { header: { name: 'proj/../evil' }, content: 'evil' },
      { header: { name: '/etc/x' }, content: 'x' },
    ]);
    const result = await importTarGz('tarred', tgz);
    expect(await filesOf('tarred')).toEqual({ 'package.json': '{}', 'src/index.js': 'module.exports = {};\n' });
    expect(sortSkipped(result.skipped)).toEqual(
      sortSkipped([
        { path: 'node_modules/', reason: 'dependencies', files: 1 },
        { path: '.git/', reason: 'version-control', files: 1 },
        { path: 'src/link', reason: 'link', files: 1 },
        { path: 'src/hard', reason: 'link', files: 1 },
        { path: 'dev', reason: 'special', files: 1 },
        { path: 'proj/../evil', reason: 'unsafe-path', files: 1 },
        { path: '/etc/x', reason: 'unsafe-path', files: 1 },
      ]),
    );
    expect(await outsideWorkspaces()).toEqual(withGeneration(before, 'tarred'));
  });

  it('stops gunzip at the expansion limit, naming it', async () => {
    const tar = pack();
    const gzipped = buffer(tar.pipe(createGzip({ level: 1 })));
    const megabytes = maxImportExpandedBytes / mib + 1;
    await pipeline(filledStream(megabytes), tar.entry({ name: 'node_modules/big.bin', size: megabytes * mib }));
    tar.finalize();
    const tgz = await gzipped;
    const err = await limitError(importTarGz('tarbomb', tgz));
    expect(err.message).toContain(String(maxImportExpandedBytes));
  });
});

describe('importing a picked folder', () => {
  it('takes text and base64 files, strips the folder name and skips what the policy says', async () => {
    const result = await importWorkspace(store, {
      name: 'picked',
      files: [
        { path: 'myproj/package.json', text: '{}' },
        { path: 'myproj/src/index.ts', base64: text('export {};\n').toString('base64') },
        { path: 'myproj/.env.local', text: 'TOKEN=1' },
        { path: 'myproj/img.png', base64: png.toString('base64') },
      ],
    });
    expect(result.imported).toBe(2);
    expect(await filesOf('picked')).toEqual({ 'package.json': '{}', 'src/index.ts': 'export {};\n' });
    expect(sortSkipped(result.skipped)).toEqual(sortSkipped([{ path: '.env.local', reason: 'secret', files: 1 }, { path: 'img.png', reason: 'binary', files: 1 }]));
  });

  it('validates the request: an archive or files, never both, never neither', () => {
    const schema = requestParams['workspace/import'];
    expect(schema.safeParse({ name: 'a', archive: { kind: 'zip', base64: 'AA==' } }).success).toBe(true);
    expect(schema.safeParse({ name: 'a', files: [{ path: 'x', text: '' }] }).success).toBe(true);
    expect(schema.safeParse({ name: 'a', files: [], archive: { kind: 'zip', base64: 'AA==' } }).success).toBe(false);
    expect(schema.safeParse({ name: 'a' }).success).toBe(false);
    expect(schema.safeParse({ name: 'a', archive: { kind: 'rar', base64: 'AA==' } }).success).toBe(false);
    expect(schema.safeParse({ name: 'a', files: [{ path: 'x', text: '', base64: '' }] }).success).toBe(false);
  });
});

describe('creating a workspace from files', () => {
  it('is all or nothing: a refused path after good ones leaves no workspace and no hidden folder', async () => {
    const files = [
      { path: 'a.ts', content: text('a') },
      { path: 'b.ts', content: text('b') },
      { path: 'c/../../escape.ts', content: text('c') },
    ];
    const err = await store.createFromFiles('half', files).catch((caught: unknown) => caught);
    expect((err as StudioError).code).toBe(ErrorCode.BadPath);
    expect(await store.exists('half')).toBe(false);
    expect(await fs.readdir(path.join(base, 'data', 'workspaces'))).toEqual([]);
    expect(await fs.access(path.join(base, 'data', 'escape.ts')).then(() => true, () => false)).toBe(false);
  });
});

function sortSkipped(skipped: ImportSkipped[]): ImportSkipped[] {
  return [...skipped].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
