/**
 * Many users on one server, against real sandboxes through the real app and
 * WebSocket: a per-user (per-token) cap on running sandboxes with a `limit`
 * error that says what to do, and idle sandboxes stopped when nobody has them
 * open, then resumed by the next transaction with their ledger.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Reply, SandboxStatus } from '../../../protocol/messages.ts';
import { createApp, type App } from '../../../server/app.ts';
import { createStudioServer, type StudioServer } from '../../../server/http/studioServer.ts';
import { TestClient } from '../../kit/studioHarness.ts';
import { createTokenAuthority } from '../../../server/http/tokenScope.ts';
import { workspaceGeneration } from '../../../server/workspace/workspaceGeneration.ts';
import { createHub } from '../../../server/ws/hub.ts';
import { createTestSandboxes, probeChaincodeDir, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

/** Run and invoke start or wake a sandbox: more than the harness's default wait on a busy machine. */
const slow = { timeoutMs: 120_000 };
const mainToken = 'users-main-token-0123456789abcdef';
const tokens = createTokenAuthority({ mainToken, generationOf: (w) => workspaceGeneration(kit.dataDir, w), workspaceTokenTtlMs: 60 * 60_000 });
const idleStopMs = 3000;
let kit: TestSandboxes;
let app: App;
let server: StudioServer;
const clients: TestClient[] = [];

async function connect(token: string): Promise<TestClient> {
  const url = `http://127.0.0.1:${server.port}`;
  const client = await TestClient.open(`${url.replace('http', 'ws')}/ws?token=${encodeURIComponent(token)}`, { origin: url });
  clients.push(client);
  return client;
}

async function ok<T>(reply: Promise<Reply>): Promise<T> {
  const r = await reply;
  if ('error' in r) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-users');
  for (const ws of ['one', 'two']) await fs.cp(probeChaincodeDir, path.join(kit.dataDir, 'workspaces', ws), { recursive: true });
  const hub = createHub();
  app = createApp({ dataDir: kit.dataDir, docker: kit.docker, hub: () => hub, tokens, instance: kit.instance, idleStopMs, maxSandboxesPerUser: 1 });
  server = await createStudioServer({ host: '127.0.0.1', port: 0, token: mainToken, tokens, staticDir: '/nonexistent', handlers: app.handlers, hub });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const ws of ['one', 'two']) await app.sandboxes.destroy(ws).catch(() => undefined);
  await app.close();
  await server.close();
  await kit.cleanup();
  expect(await kit.containers()).toEqual([]);
});

it('caps running sandboxes per token, stops idle ones, and resumes them with their ledger on the next transaction', async () => {
  const admin = await connect(mainToken);
  await ok(admin.request('workspace/open', { workspace: 'one' }));
  expect((await ok<{ ok: boolean }>(admin.request('run', { workspace: 'one' }, slow))).ok).toBe(true);
  await ok(admin.request('invoke', { workspace: 'one', mode: 'submit', contract: '', fn: 'Put', args: ['k', 'kept'] }, slow));

  // A second sandbox for the same token is refused, with the cap and the way out in words.
  const refused = await admin.request('run', { workspace: 'two' }, slow);
  expect('error' in refused && refused.error.code).toBe('limit');
  expect('error' in refused && refused.error.message).toMatch(/You already have 1 sandboxes running \(one\); the limit is 1 running sandboxes per user\. Stop the sandbox of one of them \(Sandbox ▸ Stop sandbox/);
  expect(await kit.containers()).toEqual([`${kit.instance}-one`]);

  // Another token is another user: its own cap.
  const { workspaceToken } = await ok<{ workspaceToken: string }>(admin.request('workspace/open', { workspace: 'two' }));
  await ok(admin.request('sandbox/status', { workspace: 'two' }));
  const other = await connect(workspaceToken);
  await ok(other.request('workspace/open', { workspace: 'two' }));
  expect((await ok<{ ok: boolean }>(other.request('run', { workspace: 'two' }, slow))).ok).toBe(true);

  // Nobody has "one" open any more: it is stopped once idle; "two" is open in a tab and stays.
  await admin.close();
  const watcher = await connect(mainToken);
  const started = Date.now();
  for (;;) {
    const status = await ok<SandboxStatus>(watcher.request('sandbox/status', { workspace: 'one' }));
    if (status.phase === 'stopped') {
      expect(status.message).toMatch(/stopped after being idle; the ledger is kept/);
      break;
    }
    expect(Date.now() - started).toBeLessThan(idleStopMs + 30_000);
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`[users] idle sandbox stopped ${Date.now() - started} ms after its last tab closed (idle limit ${idleStopMs} ms)`);
  expect((await kit.docker.getContainer(`${kit.instance}-one`).inspect()).State.Running).toBe(false);
  expect((await kit.docker.getContainer(`${kit.instance}-two`).inspect()).State.Running).toBe(true);

  // The next transaction starts it again, ledger included.
  const resumed = Date.now();
  const read = await ok<{ result: string }>(watcher.request('invoke', { workspace: 'one', mode: 'evaluate', contract: '', fn: 'Get', args: ['k'] }, slow));
  expect(read.result).toBe('kept');
  console.log(`[users] resumed on demand in ${Date.now() - resumed} ms`);
  expect((await ok<SandboxStatus>(watcher.request('sandbox/status', { workspace: 'one' }))).phase).toBe('ready');
});
