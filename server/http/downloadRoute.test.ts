/**
 * Who may download an export, through the real HTTP server on loopback: the
 * main token any, a workspace token its own workspace's only.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadPath } from '../../protocol/messages.ts';
import { createStudioServer, type StudioServer } from './studioServer.ts';
import { capturingLog, testToken } from '../../tests/kit/studioHarness.ts';
import { createTokenAuthority } from './tokenScope.ts';

const authority = createTokenAuthority({ mainToken: testToken, generationOf: async () => 'generation-1', workspaceTokenTtlMs: 60_000 });
let workDir: string;
let server: StudioServer;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'ccs-download-'));
  const files = { 'a-0001': 'a', 'a-b-0002': 'a-b' } as const;
  for (const id of Object.keys(files)) await writeFile(path.join(workDir, `${id}.tar.gz`), `bytes of ${id}`);
  server = await createStudioServer({
    host: '127.0.0.1',
    port: 0,
    token: testToken,
    staticDir: workDir,
    handlers: {},
    log: capturingLog(),
    tokens: authority,
    downloads: (id) => {
      const workspace = files[id as keyof typeof files] as string | undefined;
      return workspace === undefined ? undefined : { filePath: path.join(workDir, `${id}.tar.gz`), fileName: `${id}.tar.gz`, workspace };
    },
  });
});

afterAll(async () => {
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

const download = async (id: string, token: string) => {
  const res = await fetch(`${server.url}${downloadPath(id)}?token=${encodeURIComponent(token)}`);
  return { status: res.status, body: await res.text() };
};

describe('download tokens', () => {
  it("lets a workspace token download its own workspace's exports", async () => {
    expect(await download('a-0001', await authority.workspaceToken('a'))).toEqual({ status: 200, body: 'bytes of a-0001' });
    expect(await download('a-b-0002', await authority.workspaceToken('a-b'))).toEqual({ status: 200, body: 'bytes of a-b-0002' });
  });

  it("refuses a workspace token another workspace's exports, whatever their names share", async () => {
    expect((await download('a-b-0002', await authority.workspaceToken('a'))).status).toBe(403);
    expect((await download('a-0001', await authority.workspaceToken('a-b'))).status).toBe(403);
    expect((await download('a-0001', `${await authority.workspaceToken('a')}x`)).status).toBe(403);
  });

  it('lets the main token download any export', async () => {
    expect((await download('a-0001', testToken)).status).toBe(200);
    expect((await download('a-b-0002', testToken)).status).toBe(200);
    expect((await download('c-0003', testToken)).status).toBe(404);
  });
});
