/**
 * Who may download a workspace's client connection (identity and profile),
 * through the real HTTP server on loopback: the main token any workspace, a
 * workspace token its own only; the private key never without a token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConnectionPath, type ClientConnectionFile } from '../../protocol/clientConnection.ts';
import { capturingLog, testToken } from '../../tests/kit/studioHarness.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { createStudioServer, type StudioServer } from './studioServer.ts';
import { createTokenAuthority } from './tokenScope.ts';

const authority = createTokenAuthority({ mainToken: testToken, generationOf: async () => 'generation-1', workspaceTokenTtlMs: 60_000 });
const key = '-----BEGIN PRIVATE KEY-----\nkey of a\n-----END PRIVATE KEY-----\n';
let workDir: string;
let server: StudioServer;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'ccs-client-connection-'));
  server = await createStudioServer({
    host: '127.0.0.1',
    port: 0,
    token: testToken,
    staticDir: workDir,
    handlers: {},
    log: capturingLog(),
    tokens: authority,
    clientConnectionFiles: async (workspace, file) => {
      if (workspace === 'stopped') throw new StudioError(ErrorCode.SandboxNotReady, 'The sandbox is not running: press Run to start it.');
      if (workspace !== 'a' && workspace !== 'a-b') return undefined;
      const bodies: Record<ClientConnectionFile, string> = { 'client-key.pem': key, 'client-cert.pem': `cert of ${workspace}`, 'connection-profile.json': '{}' };
      return { contentType: file.endsWith('.json') ? 'application/json' : 'application/x-pem-file', body: bodies[file] };
    },
  });
});

afterAll(async () => {
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

const download = async (workspace: string, file: ClientConnectionFile, token: string | undefined) => {
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  const res = await fetch(`${server.url}${clientConnectionPath(workspace, file)}${query}`);
  return { status: res.status, headers: res.headers, text: await res.text() };
};

describe('client connection downloads', () => {
  it("gives a workspace token its own workspace's key, certificate and profile as attachments", async () => {
    const token = await authority.workspaceToken('a');
    const keyFile = await download('a', 'client-key.pem', token);
    expect(keyFile.status).toBe(200);
    expect(keyFile.text).toBe(key);
    expect(keyFile.headers.get('content-type')).toBe('application/x-pem-file');
    expect(keyFile.headers.get('content-disposition')).toMatch(/^attachment; filename="a-client-key\.pem"/);
    expect(keyFile.headers.get('cache-control')).toBe('no-store');
    expect((await download('a', 'client-cert.pem', token)).text).toBe('cert of a');
    const profile = await download('a', 'connection-profile.json', token);
    expect(profile.headers.get('content-type')).toBe('application/json');
  });

  it('never gives the key without a valid token, or to the token of another workspace', async () => {
    expect((await download('a', 'client-key.pem', undefined)).status).toBe(403);
    expect((await download('a', 'client-key.pem', '')).status).toBe(403);
    expect((await download('a', 'client-key.pem', `${testToken}x`)).status).toBe(403);
    const other = await download('a', 'client-key.pem', await authority.workspaceToken('a-b'));
    expect(other.status).toBe(403);
    expect(other.text).not.toContain('key of a');
    expect((await download('missing', 'client-key.pem', await authority.workspaceToken('a'))).status).toBe(403);
  });

  it('lets the main token reach any workspace, and answers 404 for no such workspace or file', async () => {
    expect((await download('a-b', 'client-cert.pem', testToken)).text).toBe('cert of a-b');
    expect((await download('missing', 'client-cert.pem', testToken)).status).toBe(404);
    for (const bad of ['/client-connection/a/admin-key.pem', '/client-connection/a/client-key.pem/x', '/client-connection/A/client-key.pem', '/client-connection/%E0%A4%A/client-key.pem']) {
      const res = await fetch(`${server.url}${bad}?token=${testToken}`);
      expect(res.status, bad).toBe(404);
    }
  });

  it('says what to do when there is nothing to download yet', async () => {
    const stopped = await download('stopped', 'client-key.pem', testToken);
    expect(stopped.status).toBe(409);
    expect(stopped.text).toMatch(/press Run/);
  });
});
