/**
 * `tests/save` and `tests/run` through the real server and WebSocket: the
 * invokes a user made are saved as a test with what they answered, the saved
 * file replays green on a test sandbox with its steps as `tests:` progress, and
 * a bad test name is refused before any handler runs.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectationOf, type InvokeTestRunResult } from '../../../protocol/invokeTests.ts';
import type { InvokeResult, Notification, Reply } from '../../../protocol/messages.ts';
import { createApp, type App } from '../../../server/app.ts';
import { createDocker } from '../../../server/sandbox/docker.ts';
import { releaseDisksUnder } from '../../../server/sandbox/ledgerDisk.ts';
import { createHub } from '../../../server/ws/hub.ts';
import { startTestServer, type TestClient, type TestServer } from '../../kit/studioHarness.ts';

const docker = createDocker();
const instance = `ccs-wstests-${randomBytes(3).toString('hex')}`;
const workspace = 'saved';
let dataDir: string;
let app: App;
let server: TestServer;
let client: TestClient;

function resultOf<T>(reply: Reply): T {
  if ('error' in reply) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-wstests-'));
  const hub = createHub();
  app = createApp({ dataDir, docker, hub: () => hub, instance, idleStopMs: 0 });
  server = await startTestServer({ handlers: app.handlers, hub });
  client = await server.connect();
  resultOf(await client.request('workspace/create', { name: workspace, sample: 'asset-transfer-ts' }));
  resultOf(await client.request('workspace/open', { workspace }));
  expect(resultOf<{ ok: boolean }>(await client.request('run', { workspace }, { timeoutMs: 300_000 })).ok).toBe(true);
});

afterAll(async () => {
  await client?.request('sandbox/destroy', { workspace }, { timeoutMs: 60_000 });
  await server?.close();
  await app?.close();
  await releaseDisksUnder(dataDir);
  await fs.rm(dataDir, { recursive: true, force: true });
  const left = await docker.listContainers({ all: true, filters: { name: [`${instance}-`] } });
  expect(left.map((c) => c.Names)).toEqual([]);
});

describe('tests over the WebSocket', () => {
  it('saves invokes with what they answered and replays them green on a test sandbox', async () => {
    const invokes = [
      { mode: 'submit' as const, contract: '', fn: 'CreateAsset', args: ['ws1', 'red', '2', 'Ann', '20'] },
      { mode: 'evaluate' as const, contract: '', fn: 'ReadAsset', args: ['ws1'] },
      { mode: 'evaluate' as const, contract: '', fn: 'ReadAsset', args: ['nope'] },
    ];
    const steps = [];
    for (const invoke of invokes) {
      const reply = await client.request('invoke', { workspace, ...invoke }, { timeoutMs: 60_000 });
      const outcome = 'error' in reply ? { error: reply.error.message } : { result: reply.result as InvokeResult };
      steps.push({ ...invoke, expect: expectationOf(outcome, 'basic') });
    }
    expect(steps[0]?.expect.writes).toEqual({ written: ['ws1'], deleted: [] });
    expect(steps[2]?.expect.error).toContain('does not exist');

    const saved = resultOf<{ path: string }>(await client.request('tests/save', { workspace, name: 'from-history', invokes: steps }));
    expect(saved.path).toBe('tests/from-history.invokes.json');
    const file = JSON.parse(resultOf<{ content: string }>(await client.request('file/read', { workspace, path: saved.path })).content) as { invokes: unknown[] };
    expect(file.invokes).toHaveLength(3);

    client.pending.length = 0; // the notifications of the user's own Run and invokes
    const run = resultOf<InvokeTestRunResult>(await client.request('tests/run', { workspace }, { timeoutMs: 300_000 }));
    expect(run.files.flatMap((f) => [f.error, ...f.invokes.flatMap((c) => c.diff)]).filter(Boolean)).toEqual([]);
    expect(run).toMatchObject({ passed: true, counts: { passed: 3, failed: 0, files: 1 } });
    const progress = client.pending.filter((m): m is Notification<'sandbox/progress'> => 'method' in m && m.method === 'sandbox/progress').map((m) => m.params.step);
    expect(progress).toContain('tests:build');
    expect(progress.every((step) => step.startsWith('tests:'))).toBe(true);
    // The user's sandbox still answers from its own ledger.
    expect(resultOf<InvokeResult>(await client.request('invoke', { workspace, ...invokes[1] }, { timeoutMs: 60_000 })).result).toContain('"ID":"ws1"');
  });

  it('refuses a test name that could leave the tests folder', async () => {
    const reply = await client.request('tests/save', { workspace, name: '../escape', invokes: [{ mode: 'evaluate', fn: 'GetAllAssets' }] });
    expect('error' in reply && reply.error.code).toBe('invalid_params');
  });
});
