/**
 * Who may download a workspace's sources as a zip, through the real HTTP
 * server on loopback and a real workspace store: the main token any
 * workspace, a workspace token its own only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceZipPath } from '../../protocol/messages.ts';
import { capturingLog, testToken } from '../../tests/kit/studioHarness.ts';
import { samplesDir } from '../config.ts';
import { zipWorkspace } from '../workspace/workspaceZip.ts';
import { createWorkspaceStore } from '../workspace/workspaceStore.ts';
import { createStudioServer, type StudioServer } from './studioServer.ts';
import { createTokenAuthority } from './tokenScope.ts';

const authority = createTokenAuthority({ mainToken: testToken, generationOf: async () => 'generation-1', workspaceTokenTtlMs: 60_000 });
let workDir: string;
let server: StudioServer;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'ccs-workspace-zip-'));
  const store = createWorkspaceStore({ dataDir: workDir, samplesDir });
  await store.create('a', 'asset-transfer-js');
  await store.create('a-b', 'asset-transfer-ts');
  await store.write('a', 'notes/readme.md', 'hello');
  server = await createStudioServer({
    host: '127.0.0.1',
    port: 0,
    token: testToken,
    staticDir: workDir,
    handlers: {},
    log: capturingLog(),
    tokens: authority,
    workspaceZips: async (workspace) => ((await store.exists(workspace)) ? zipWorkspace(store, workspace) : undefined),
  });
});

afterAll(async () => {
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

const download = async (workspace: string, token: string) => {
  const res = await fetch(`${server.url}${workspaceZipPath(workspace)}?token=${encodeURIComponent(token)}`);
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
};

describe('workspace zip downloads', () => {
  it("gives a workspace token its own workspace's sources as an attachment", async () => {
    const { status, headers, bytes } = await download('a', await authority.workspaceToken('a'));
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/zip');
    expect(headers.get('content-disposition')).toMatch(/^attachment; filename="a\.zip"/);
    const files = unzipSync(bytes);
    expect(strFromU8(files['notes/readme.md'] ?? new Uint8Array())).toBe('hello');
    expect(JSON.parse(strFromU8(files['package.json'] ?? new Uint8Array()))).toMatchObject({ name: 'asset-transfer-js' });
    expect(Object.keys(files).some((name) => name.startsWith('node_modules/') || name.startsWith('.studio/'))).toBe(false);
  });

  it('refuses a workspace token any other workspace, whatever their names share', async () => {
    expect((await download('a-b', await authority.workspaceToken('a'))).status).toBe(403);
    expect((await download('a', await authority.workspaceToken('a-b'))).status).toBe(403);
    expect((await download('missing', await authority.workspaceToken('a'))).status).toBe(403);
  });

  it('refuses a missing or wrong token', async () => {
    expect((await download('a', '')).status).toBe(403);
    expect((await download('a', `${testToken}x`)).status).toBe(403);
    expect((await download('a', `${await authority.workspaceToken('a')}x`)).status).toBe(403);
  });

  it('lets the main token zip any workspace, and answers 404 for one that does not exist', async () => {
    expect((await download('a', testToken)).status).toBe(200);
    const other = await download('a-b', testToken);
    expect(other.status).toBe(200);
    expect(other.headers.get('content-disposition')).toMatch(/filename="a-b\.zip"/);
    expect((await download('missing', testToken)).status).toBe(404);
    expect((await download('..%2F..%2Fetc', testToken)).status).toBe(404);
  });
});
