/**
 * Bad input at the edge, over a real WebSocket against the real app handlers
 * and workspace store (no sandbox is started): path traversal through every
 * file operation, symlinks planted in a workspace, unicode names, binary and
 * huge files, and tokens — missing, wrong, forged, or scoped to another
 * workspace. Connection and request floods are covered by the edge's own
 * tests (server/http/upgradeGuard.test.ts, server/ws/connection.test.ts,
 * server/ws/dispatcher.fuzz.test.ts).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../../protocol/messages.ts';
import { createApp, type App } from '../../../server/app.ts';
import { maxFileBytes } from '../../../server/config.ts';
import { createStudioServer, type StudioServer } from '../../../server/http/studioServer.ts';
import { refusalStatus, TestClient } from '../../kit/studioHarness.ts';
import { createTokenAuthority } from '../../../server/http/tokenScope.ts';
import { createDocker } from '../../../server/sandbox/docker.ts';
import { workspaceGeneration } from '../../../server/workspace/workspaceGeneration.ts';
import { createHub } from '../../../server/ws/hub.ts';

const mainToken = 'edge-main-token-0123456789abcdef';
const tokenTtlMs = 60 * 60_000;
/** The server's clock, which the expiry test moves forward. */
let clockMs = Date.now();
const tokenOptions = () => ({
  mainToken,
  generationOf: (workspace: string) => workspaceGeneration(dataDir, workspace),
  workspaceTokenTtlMs: tokenTtlMs,
  nowMs: () => clockMs,
});
const tokens = createTokenAuthority(tokenOptions());
/**
 * The test's own folder. The data folder sits two levels below it, so `../../../../` from a
 * workspace lands here, where canary files stand in for the host's /etc.
 */
let root: string;
let dataDir: string;
const canaries = { 'etc/passwd': 'canary passwd\n', 'etc/shadow': 'canary shadow\n', 'x/data/etc/shadow': 'canary data shadow\n' };
let app: App;
let server: StudioServer;
let origin: string;
let wsUrl: string;
const clients: TestClient[] = [];

async function connect(token: string): Promise<TestClient> {
  const client = await TestClient.open(`${wsUrl}?token=${encodeURIComponent(token)}`, { origin });
  clients.push(client);
  return client;
}

function errorOf(reply: Reply): { code: string; message: string } | undefined {
  return 'error' in reply ? reply.error : undefined;
}

function resultOf<T>(reply: Reply): T {
  if ('error' in reply) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-edge-'));
  dataDir = path.join(root, 'x', 'data');
  for (const [rel, content] of Object.entries(canaries)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content);
  }
  const hub = createHub();
  app = createApp({ dataDir, docker: createDocker(), hub: () => hub, tokens, instance: 'ccs-edge-unused', idleStopMs: 0 });
  server = await createStudioServer({ host: '127.0.0.1', port: 0, token: mainToken, tokens, staticDir: '/nonexistent', handlers: app.handlers, hub });
  origin = `http://127.0.0.1:${server.port}`;
  wsUrl = `ws://127.0.0.1:${server.port}/ws`;
  const admin = await connect(mainToken);
  resultOf(await admin.request('workspace/create', { name: 'alpha', sample: 'asset-transfer-js' }));
  resultOf(await admin.request('workspace/create', { name: 'beta', sample: 'asset-transfer-js' }));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await app.close();
  await server.close();
  await fs.rm(root, { recursive: true, force: true });
});

/** Every file under the test's folder outside the data folder's workspaces, with its content. */
async function filesOutsideWorkspaces(): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const rel of await fs.readdir(root, { recursive: true })) {
    const abs = path.join(root, rel);
    if (abs.startsWith(path.join(dataDir, 'workspaces') + path.sep) || abs.startsWith(path.join(dataDir, 'workspace-generations'))) continue;
    if ((await fs.lstat(abs)).isFile()) found[rel] = await fs.readFile(abs, 'utf8');
  }
  return found;
}

describe('path traversal over the WebSocket', () => {
  const hostile = [
    '../beta/package.json',
    '../../../../etc/passwd',
    '/etc/passwd',
    'src/../../beta/package.json',
    'src/../..',
    '..',
    '.',
    '..\\beta\\package.json',
    'C:\\Windows\\win.ini',
    'src/\u0000.js',
    '%2e%2e/beta/package.json/..',
    'lib/./../../../etc/shadow',
  ];

  it('refuses every hostile path in every file operation, and touches nothing outside', async () => {
    // Resolved naively from the workspace, the two canaries are where these paths lead.
    expect(path.resolve(dataDir, 'workspaces', 'alpha', '../../../../etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
    expect(path.resolve(dataDir, 'workspaces', 'alpha', 'lib/./../../../etc/shadow')).toBe(path.join(root, 'x', 'data', 'etc', 'shadow'));
    const c = await connect(mainToken);
    const betaBefore = await fs.readFile(path.join(dataDir, 'workspaces', 'beta', 'package.json'), 'utf8');
    for (const p of hostile) {
      const replies = [
        await c.request('file/read', { workspace: 'alpha', path: p }),
        await c.request('file/write', { workspace: 'alpha', path: p, content: 'pwned' }),
        await c.request('file/create', { workspace: 'alpha', path: p, kind: 'file' }),
        await c.request('file/create', { workspace: 'alpha', path: p, kind: 'dir' }),
        await c.request('file/rename', { workspace: 'alpha', from: 'index.js', to: p }),
        await c.request('file/rename', { workspace: 'alpha', from: p, to: 'stolen.txt' }),
        await c.request('file/delete', { workspace: 'alpha', path: p }),
      ];
      for (const reply of replies) {
        // `%2e%2e` is a literal folder name, not a parent: it may exist inside the workspace, never outside.
        if (p.startsWith('%2e%2e') && !('error' in reply)) continue;
        expect(errorOf(reply)?.code, `${p}: ${JSON.stringify(reply)}`).toMatch(/^(bad_path|invalid_params|not_found)$/);
      }
    }
    expect(await fs.readFile(path.join(dataDir, 'workspaces', 'beta', 'package.json'), 'utf8')).toBe(betaBefore);
    await expect(fs.access(path.join(dataDir, 'workspaces', 'stolen.txt'))).rejects.toThrow();
    // The canaries are unchanged and nothing new appeared outside the workspaces.
    expect(await filesOutsideWorkspaces()).toEqual(canaries);
    expect(resultOf<{ content: string }>(await c.request('file/read', { workspace: 'alpha', path: 'package.json' })).content).toContain('"name"');
  });

  it('does not follow symlinks planted in a workspace, in or out', async () => {
    const alphaDir = path.join(dataDir, 'workspaces', 'alpha');
    await fs.symlink(path.join(root, 'etc'), path.join(alphaDir, 'etc-link'));
    await fs.symlink(path.join(root, 'etc', 'passwd'), path.join(alphaDir, 'passwd-link'));
    await fs.symlink(path.join(dataDir, 'workspaces', 'beta'), path.join(alphaDir, 'beta-link'));
    const c = await connect(mainToken);
    for (const p of ['etc-link/passwd', 'passwd-link', 'beta-link/package.json']) {
      expect(errorOf(await c.request('file/read', { workspace: 'alpha', path: p }))?.code, p).toBe('bad_path');
      expect(errorOf(await c.request('file/write', { workspace: 'alpha', path: p, content: 'x' }))?.code, p).toBe('bad_path');
    }
    expect(errorOf(await c.request('file/write', { workspace: 'alpha', path: 'beta-link/new.js', content: 'x' }))?.code).toBe('bad_path');
    await expect(fs.access(path.join(dataDir, 'workspaces', 'beta', 'new.js'))).rejects.toThrow();
    expect(await filesOutsideWorkspaces()).toEqual(canaries);
    const listed = resultOf<{ files: { path: string }[] }>(await c.request('file/list', { workspace: 'alpha' })).files.map((f) => f.path);
    expect(listed.some((p) => p.startsWith('etc-link/') || p.startsWith('beta-link/'))).toBe(false);
    for (const link of ['etc-link', 'passwd-link', 'beta-link']) await fs.unlink(path.join(alphaDir, link));
  });
});

describe('names and contents', () => {
  it('round-trips unicode file names and contents', async () => {
    const c = await connect(mainToken);
    const name = 'lib/ünïcødé-文件-🙂.js';
    const content = "module.exports = 'ßü文🙂\\u202e';\n";
    resultOf(await c.request('file/write', { workspace: 'alpha', path: name, content }));
    expect(resultOf<{ content: string }>(await c.request('file/read', { workspace: 'alpha', path: name })).content).toBe(content);
    expect(await fs.readFile(path.join(dataDir, 'workspaces', 'alpha', name), 'utf8')).toBe(content);
    resultOf(await c.request('file/delete', { workspace: 'alpha', path: name }));
  });

  it('refuses to serve a binary file as text, and a file over the size limit', async () => {
    const c = await connect(mainToken);
    await fs.writeFile(path.join(dataDir, 'workspaces', 'alpha', 'blob.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff, 0xfe, 0, 1]));
    expect(errorOf(await c.request('file/read', { workspace: 'alpha', path: 'blob.bin' }))?.code).toBe('bad_file');
    const huge = 'x'.repeat(maxFileBytes + 1);
    const reply = await c.request('file/write', { workspace: 'alpha', path: 'huge.txt', content: huge });
    expect(errorOf(reply)?.code).toBe('bad_file');
    expect(errorOf(reply)?.message).toMatch(/MB|bytes|limit/);
    await expect(fs.access(path.join(dataDir, 'workspaces', 'alpha', 'huge.txt'))).rejects.toThrow();
  });

  it('answers a binary frame with bad_message and keeps the connection', async () => {
    const c = await connect(mainToken);
    c.send(Buffer.from([0, 1, 2, 3, 0xff]), true);
    expect(errorOf(await c.nextReply())?.code).toBe('bad_message');
    resultOf(await c.request('file/list', { workspace: 'alpha' }));
  });
});

describe('tokens', () => {
  it('refuses a missing, wrong or forged token at the upgrade', async () => {
    expect(await refusalStatus(wsUrl, { origin })).toBe(403);
    expect(await refusalStatus(`${wsUrl}?token=wrong-token-0123456789`, { origin })).toBe(403);
    const alpha = await tokens.workspaceToken('alpha');
    const [, , generation = '', expiry = '', signature = ''] = alpha.split('.');
    const forged = `w.${Buffer.from('beta').toString('base64url')}.${generation}.${expiry}.${signature}`;
    expect(await refusalStatus(`${wsUrl}?token=${forged}`, { origin })).toBe(403);
    const later = (parseInt(expiry, 36) + 3600).toString(36);
    const extended = `w.${Buffer.from('alpha').toString('base64url')}.${generation}.${later}.${signature}`;
    expect(await refusalStatus(`${wsUrl}?token=${extended}`, { origin })).toBe(403);
    const otherServer = await createTokenAuthority({ ...tokenOptions(), mainToken: 'another-server-token-0123456789' }).workspaceToken('alpha');
    expect(await refusalStatus(`${wsUrl}?token=${otherServer}`, { origin })).toBe(403);
    const client = await connect(alpha);
    resultOf(await client.request('file/list', { workspace: 'alpha' }));
  });

  it('gives a workspace token on open that opens that workspace and no other', async () => {
    const admin = await connect(mainToken);
    const opened = resultOf<{ workspaceToken?: string }>(await admin.request('workspace/open', { workspace: 'alpha' }));
    expect(opened.workspaceToken).toMatch(/^w\./);
    const scoped = await connect(opened.workspaceToken ?? '');
    resultOf(await scoped.request('workspace/open', { workspace: 'alpha' }));
    resultOf(await scoped.request('file/read', { workspace: 'alpha', path: 'package.json' }));
    resultOf(await scoped.request('sample/list', {}));
    const refusals = [
      await scoped.request('workspace/open', { workspace: 'beta' }),
      await scoped.request('file/read', { workspace: 'beta', path: 'package.json' }),
      await scoped.request('file/write', { workspace: 'beta', path: 'index.js', content: 'pwned' }),
      await scoped.request('run', { workspace: 'beta' }),
      await scoped.request('sandbox/destroy', { workspace: 'beta' }),
      await scoped.request('workspace/delete', { workspace: 'beta' }),
      await scoped.request('workspace/list', {}),
      await scoped.request('workspace/create', { name: 'gamma', sample: 'asset-transfer-js' }),
    ];
    for (const reply of refusals) {
      expect(errorOf(reply)?.code, JSON.stringify(reply)).toBe('forbidden');
      expect(errorOf(reply)?.message).toMatch(/opens only the workspace "alpha"/);
    }
    expect(await fs.readFile(path.join(dataDir, 'workspaces', 'beta', 'index.js'), 'utf8')).not.toBe('pwned');
    await expect(fs.access(path.join(dataDir, 'workspaces', 'gamma'))).rejects.toThrow();
    // The main token still does everything.
    expect(resultOf<{ workspaces: { id: string }[] }>(await admin.request('workspace/list', {})).workspaces.map((w) => w.id).sort()).toEqual(['alpha', 'beta']);
  });

  it('refuses a workspace token once it has expired; opening the workspace with a valid one hands out a fresh one', async () => {
    const admin = await connect(mainToken);
    const first = resultOf<{ workspaceToken: string }>(await admin.request('workspace/open', { workspace: 'alpha' })).workspaceToken;
    clockMs += tokenTtlMs - 60_000;
    // Still valid a minute before it expires: its holder opens the workspace and gets a new token.
    const holder = await connect(first);
    const refreshed = resultOf<{ workspaceToken: string }>(await holder.request('workspace/open', { workspace: 'alpha' })).workspaceToken;
    expect(refreshed).not.toBe(first);
    clockMs += 2 * 60_000;
    expect(await refusalStatus(`${wsUrl}?token=${encodeURIComponent(first)}`, { origin })).toBe(403);
    const renewed = await connect(refreshed);
    resultOf(await renewed.request('file/list', { workspace: 'alpha' }));
    clockMs += tokenTtlMs;
    expect(await refusalStatus(`${wsUrl}?token=${encodeURIComponent(refreshed)}`, { origin })).toBe(403);
    // The main token does not expire.
    await connect(mainToken);
  });

  it('refuses the tokens of a workspace that was deleted, also once one of the same name is created again', async () => {
    const admin = await connect(mainToken);
    resultOf(await admin.request('workspace/create', { name: 'delta', sample: 'asset-transfer-js' }));
    const old = resultOf<{ workspaceToken: string }>(await admin.request('workspace/open', { workspace: 'delta' })).workspaceToken;
    const openBefore = await connect(old);
    resultOf(await openBefore.request('file/list', { workspace: 'delta' }));
    resultOf(await admin.request('workspace/delete', { workspace: 'delta' }));
    expect(await refusalStatus(`${wsUrl}?token=${encodeURIComponent(old)}`, { origin })).toBe(403);
    resultOf(await admin.request('workspace/create', { name: 'delta', sample: 'asset-transfer-js' }));
    expect(await refusalStatus(`${wsUrl}?token=${encodeURIComponent(old)}`, { origin })).toBe(403);
    // A connection opened with the old token before the delete does not reach the new workspace either.
    for (const reply of [
      await openBefore.request('file/list', { workspace: 'delta' }),
      await openBefore.request('file/write', { workspace: 'delta', path: 'index.js', content: 'pwned' }),
    ]) {
      expect(errorOf(reply)?.code).toBe('forbidden');
      expect(errorOf(reply)?.message).toMatch(/was deleted/);
    }
    const current = resultOf<{ workspaceToken: string }>(await admin.request('workspace/open', { workspace: 'delta' })).workspaceToken;
    expect(current).not.toBe(old);
    resultOf(await (await connect(current)).request('file/list', { workspace: 'delta' }));
    expect(await fs.readFile(path.join(dataDir, 'workspaces', 'delta', 'index.js'), 'utf8')).not.toBe('pwned');
    // The generation lives outside the workspace: no client can read or change it.
    const listed = resultOf<{ files: { path: string }[] }>(await admin.request('file/list', { workspace: 'delta' })).files.map((f) => f.path);
    expect(listed.some((p) => p.includes('generation'))).toBe(false);
    resultOf(await admin.request('workspace/delete', { workspace: 'delta' }));
  });
});
