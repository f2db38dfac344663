/**
 * Uploading an archive as a new workspace over HTTP, through the real server
 * on loopback and a real workspace store: who may, the body cap, and the same
 * reading, limits and skip report as `workspace/import`.
 */
import { buffer } from 'node:stream/consumers';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUploadPath, type ImportArchiveKind } from '../../protocol/messages.ts';
import { capturingLog, testToken } from '../../tests/kit/studioHarness.ts';
import { maxFilesPerWorkspace, maxWorkspaceBytes, samplesDir } from '../config.ts';
import { importArchiveBytes } from '../workspace/importArchive.ts';
import { createWorkspaceStore, type WorkspaceStore } from '../workspace/workspaceStore.ts';
import { createStudioServer, type StudioServer } from './studioServer.ts';
import { createTokenAuthority } from './tokenScope.ts';

const authority = createTokenAuthority({ mainToken: testToken, generationOf: async () => 'generation-1', workspaceTokenTtlMs: 60_000 });
let workDir: string;
let store: WorkspaceStore;
let server: StudioServer;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'ccs-import-upload-'));
  store = createWorkspaceStore({ dataDir: workDir, samplesDir });
  await store.create('taken', 'asset-transfer-js');
  server = await createStudioServer({
    host: '127.0.0.1',
    port: 0,
    token: testToken,
    staticDir: workDir,
    handlers: {},
    log: capturingLog(),
    tokens: authority,
    archiveImports: (name, kind, bytes) => importArchiveBytes(store, name, kind, bytes),
  });
});

afterAll(async () => {
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

const projectZip = (): Uint8Array =>
  zipSync({
    'ledger-notes/package.json': strToU8('{"name":"ledger-notes"}'),
    'ledger-notes/src/index.ts': strToU8('export const contracts = [];\n'),
    'ledger-notes/node_modules/left-pad/index.js': strToU8('module.exports = 1;\n'),
    'ledger-notes/node_modules/left-pad/package.json': strToU8('{}'),
  });

async function projectTarGz(): Promise<Buffer> {
  const tar = pack();
  tar.entry({ name: 'package.json' }, '{"name":"tarred"}');
  tar.entry({ name: 'lib/contract.js' }, 'module.exports = {};\n');
  tar.entry({ name: 'dist/index.js' }, 'built');
  tar.finalize();
  return gzipSync(await buffer(tar));
}

interface Answer {
  status: number;
  json: { result?: { workspace: string; imported: number; skipped: unknown[] }; error?: { code: string; message: string } };
}

async function upload(name: string, body: Uint8Array | ReadableStream<Uint8Array>, options: { token?: string; kind?: ImportArchiveKind | 'rar'; init?: RequestInit } = {}): Promise<Answer> {
  const url = `${server.url}${importUploadPath(name, (options.kind ?? 'zip') as ImportArchiveKind)}&token=${encodeURIComponent(options.token ?? testToken)}`;
  // A copy on its own ArrayBuffer is what fetch's types take.
  const res = await fetch(url, { method: 'POST', body: body instanceof Uint8Array ? new Uint8Array(body) : body, ...options.init });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, json: (await res.json()) as Answer['json'] };
}

describe('archive uploads', () => {
  it('creates a workspace from a zip, without its wrapper folder, and reports node_modules as skipped', async () => {
    const { status, json } = await upload('notes', projectZip());
    expect(status).toBe(200);
    expect(json.result).toEqual({ workspace: 'notes', imported: 2, skipped: [{ path: 'node_modules/', reason: 'dependencies', files: 2 }] });
    expect(await readFile(path.join(store.dir('notes'), 'src/index.ts'), 'utf8')).toBe('export const contracts = [];\n');
  });

  it('creates a workspace from a tar.gz, leaving its dist/ out', async () => {
    const { status, json } = await upload('tarred', await projectTarGz(), { kind: 'tar.gz' });
    expect(status).toBe(200);
    expect(json.result).toMatchObject({ workspace: 'tarred', imported: 2, skipped: [{ path: 'dist/', reason: 'build-output', files: 1 }] });
  });

  it('refuses a missing, wrong or workspace token before reading anything', async () => {
    for (const token of ['', `${testToken}x`]) {
      const { status, json } = await upload('nobody', projectZip(), { token });
      expect(status).toBe(403);
      expect(json.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/valid token/) });
    }
    const scoped = await upload('scoped', projectZip(), { token: await authority.workspaceToken('taken') });
    expect(scoped.status).toBe(403);
    expect(scoped.json.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/main token/) });
    expect(await store.exists('nobody')).toBe(false);
    expect(await store.exists('scoped')).toBe(false);
  });

  it('refuses a bad name, an unknown kind, and a name that is taken', async () => {
    expect(await upload('Bad_Name', projectZip())).toMatchObject({ status: 400, json: { error: { code: 'invalid_params' } } });
    expect(await upload('rar', projectZip(), { kind: 'rar' })).toMatchObject({ status: 400, json: { error: { code: 'invalid_params', message: expect.stringMatching(/kind=zip/) } } });
    expect(await upload('taken', projectZip())).toMatchObject({ status: 409, json: { error: { code: 'already_exists' } } });
    expect(await upload('empty', new Uint8Array())).toMatchObject({ status: 422, json: { error: { code: 'bad_file' } } });
    expect(await upload('garbage', strToU8('not a zip at all'))).toMatchObject({ status: 422, json: { error: { code: 'bad_file', message: expect.stringMatching(/zip/) } } });
  });

  it('refuses a body over the workspace size limit, declared or streamed, naming the limit', async () => {
    const declared = await upload('huge', new Uint8Array(maxWorkspaceBytes + 1));
    expect(declared.status).toBe(413);
    expect(declared.json.error).toMatchObject({ code: 'limit', message: expect.stringContaining(`at most 20 MB (${maxWorkspaceBytes} bytes)`) });

    // A chunked body has no Content-Length: the cap is found while reading.
    const chunk = new Uint8Array(1024 * 1024);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > maxWorkspaceBytes) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const streamed = await upload('streamed', stream, { init: { duplex: 'half' } as RequestInit });
    expect(streamed.status).toBe(413);
    expect(streamed.json.error).toMatchObject({ code: 'limit', message: expect.stringContaining(`at most 20 MB (${maxWorkspaceBytes} bytes)`) });
    expect(await store.exists('huge')).toBe(false);
    expect(await store.exists('streamed')).toBe(false);
  }, 60_000);

  it('names the file-count limit of a workspace, and creates nothing', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i <= maxFilesPerWorkspace; i++) files[`src/f${i}.ts`] = strToU8('');
    const { status, json } = await upload('many', zipSync(files));
    expect(status).toBe(413);
    expect(json.error).toMatchObject({ code: 'limit', message: expect.stringContaining(`at most ${maxFilesPerWorkspace} files`) });
    expect(await store.exists('many')).toBe(false);
    // A deadline for a loaded machine, not a speed target: 2001 entries are zipped and read.
  }, 60_000);

  it('answers anything but POST with 405', async () => {
    const res = await fetch(`${server.url}${importUploadPath('notes', 'zip')}&token=${testToken}`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
