import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import type { Handlers } from '../ws/handlers.ts';
import { refusalStatus, startTestServer, TestClient, testToken, type TestServer } from '../../tests/kit/studioHarness.ts';
import { createTokenAuthority } from './tokenScope.ts';

const handlers: Handlers = { 'sample/list': async () => ({ samples: [] }) };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('WebSocket upgrade', () => {
  it('accepts the default origins with the token', async () => {
    server = await startTestServer({ handlers });
    const port = server.server.port;
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const client = await TestClient.open(`${server.wsUrl}?token=${testToken}`, { origin });
      expect(await client.request('sample/list', {})).toEqual({ id: 1, result: { samples: [] } });
      await client.close();
    }
  });

  it('refuses a foreign origin with 403', async () => {
    server = await startTestServer({ handlers });
    const url = `${server.wsUrl}?token=${testToken}`;
    expect(await refusalStatus(url, { origin: 'http://evil.example' })).toBe(403);
    expect(await refusalStatus(url, { origin: `http://127.0.0.1:${server.server.port + 1}` })).toBe(403);
    expect(await refusalStatus(url, { origin: `https://127.0.0.1:${server.server.port}` })).toBe(403);
    expect(await refusalStatus(url, { origin: 'null' })).toBe(403);
    expect(server.log.warnings.every((w) => w.includes('is not allowed'))).toBe(true);
    expect(server.server.hub.connectionCount).toBe(0);
  });

  it('refuses a request without an Origin with 403', async () => {
    server = await startTestServer({ handlers });
    expect(await refusalStatus(`${server.wsUrl}?token=${testToken}`)).toBe(403);
  });

  it('refuses a missing or wrong token with 403', async () => {
    server = await startTestServer({ handlers });
    const { origin, wsUrl } = server;
    expect(await refusalStatus(wsUrl, { origin })).toBe(403);
    expect(await refusalStatus(`${wsUrl}?token=`, { origin })).toBe(403);
    expect(await refusalStatus(`${wsUrl}?token=${testToken}x`, { origin })).toBe(403);
    expect(await refusalStatus(`${wsUrl}?token=${testToken.slice(0, -1)}`, { origin })).toBe(403);
    expect(await refusalStatus(wsUrl, { origin, protocols: ['token.wrong'] })).toBe(403);
  });

  it('takes the token from a token.<token> subprotocol and answers with the other protocol offered', async () => {
    server = await startTestServer({ handlers });
    const viaToken = await TestClient.open(server.wsUrl, { origin: server.origin, protocols: [`token.${testToken}`] });
    expect(viaToken.ws.protocol).toBe(`token.${testToken}`);
    const withStudio = await TestClient.open(server.wsUrl, { origin: server.origin, protocols: ['studio.v1', `token.${testToken}`] });
    expect(withStudio.ws.protocol).toBe('studio.v1');
    expect(await withStudio.request('sample/list', {})).toMatchObject({ result: {} });
    await viaToken.close();
    await withStudio.close();
  });

  it('refuses upgrades on other paths with 404', async () => {
    server = await startTestServer({ handlers });
    const other = server.wsUrl.replace(/\/ws$/, '/socket');
    expect(await refusalStatus(`${other}?token=${testToken}`, { origin: server.origin })).toBe(404);
  });

  it('uses only the given allowed origins when there are some', async () => {
    server = await startTestServer({ handlers, allowedOrigins: ['http://localhost:5173'] });
    const url = `${server.wsUrl}?token=${testToken}`;
    expect(await refusalStatus(url, { origin: server.origin })).toBe(403);
    const client = await TestClient.open(url, { origin: 'http://localhost:5173' });
    await client.close();
  });

  it('refuses connections over the per-token cap with 429 and admits again after one closes', async () => {
    server = await startTestServer({ handlers, limits: { maxConnectionsPerToken: 2 } });
    const first = await server.connect();
    await server.connect();
    const url = `${server.wsUrl}?token=${testToken}`;
    expect(await refusalStatus(url, { origin: server.origin })).toBe(429);
    await first.close();
    await expect.poll(() => server?.server.hub.connectionCount).toBe(1);
    const third = await server.connect();
    expect(await third.request('sample/list', {})).toMatchObject({ result: {} });
  });

  it('lets a second token on the same address connect while another token holds its whole cap', async () => {
    const tokens = createTokenAuthority({ mainToken: testToken, generationOf: async () => 'generation-1', workspaceTokenTtlMs: 60_000 });
    server = await startTestServer({ handlers, tokens, limits: { maxConnectionsPerToken: 3 } });
    const url = (token: string) => `${server?.wsUrl ?? ''}?token=${encodeURIComponent(token)}`;
    for (let i = 0; i < 3; i += 1) await server.connect();
    expect(await refusalStatus(url(testToken), { origin: server.origin })).toBe(429);
    const workspaceToken = await tokens.workspaceToken('alpha');
    const other = await TestClient.open(url(workspaceToken), { origin: server.origin });
    expect(await other.request('sample/list', {})).toMatchObject({ result: {} });
    const another = await TestClient.open(url(await tokens.workspaceToken('beta')), { origin: server.origin });
    expect(await another.request('sample/list', {})).toMatchObject({ result: {} });
    await other.close();
    await another.close();
  });

  it('refuses connections over the per-address cap, all tokens together, with 429', async () => {
    const tokens = createTokenAuthority({ mainToken: testToken, generationOf: async () => 'generation-1', workspaceTokenTtlMs: 60_000 });
    server = await startTestServer({ handlers, tokens, limits: { maxConnectionsPerToken: 2, maxConnectionsPerAddress: 3 } });
    await server.connect();
    await server.connect();
    const scoped = `${server.wsUrl}?token=${encodeURIComponent(await tokens.workspaceToken('alpha'))}`;
    const other = await TestClient.open(scoped, { origin: server.origin });
    expect(await refusalStatus(scoped, { origin: server.origin })).toBe(429);
    expect(server.server.hub.connectionCount).toBe(3);
    await other.close();
  });

  it('closes every connection with 1001 when the server closes', async () => {
    server = await startTestServer({ handlers });
    const client = await server.connect();
    await server.server.close();
    expect((await client.closed).code).toBe(1001);
  });

  it('writes the refusal as plain HTTP and then closes the socket', async () => {
    server = await startTestServer({ handlers });
    const socket = connect(server.server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      'GET /ws?token=nope HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Origin: ${server.origin}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await closed;
    const response = Buffer.concat(chunks).toString('utf8');
    expect(response).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(response).toContain('A valid token is required');
  });
});
