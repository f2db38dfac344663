/**
 * The metrics a host scrapes, against a real server, app and sandbox: the
 * numbers move after a real Run and real invokes (and a real limit hit: a
 * chaincode flooding its log past the agent's rate limit), the exposition
 * parses as the Prometheus text format, and neither the main token nor a
 * workspace token opens the metrics on the IDE's own port.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Reply } from '../../../protocol/messages.ts';
import { createApp, type App } from '../../../server/app.ts';
import { createStudioServer, type StudioServer } from '../../../server/http/studioServer.ts';
import { createTokenAuthority } from '../../../server/http/tokenScope.ts';
import { startMetricsServer, type MetricsServer } from '../../../server/metrics/metricsServer.ts';
import { workspaceGeneration } from '../../../server/workspace/workspaceGeneration.ts';
import { createHub } from '../../../server/ws/hub.ts';
import { parsePrometheusText, sampleSum, type MetricFamily } from '../../kit/prometheusText.ts';
import { createTestSandboxes, probeChaincodeDir, type TestSandboxes } from '../../kit/sandboxTestKit.ts';
import { TestClient } from '../../kit/studioHarness.ts';

const slow = { timeoutMs: 120_000 };
const mainToken = 'metrics-main-token-0123456789abcdef';
const workspace = 'metered';
let kit: TestSandboxes;
let app: App;
let server: StudioServer;
let metricsServer: MetricsServer;
const clients: TestClient[] = [];

async function ok<T>(reply: Promise<Reply>): Promise<T> {
  const r = await reply;
  if ('error' in r) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}

async function scrape(): Promise<Map<string, MetricFamily>> {
  const res = await fetch(`${metricsServer.url}/metrics`);
  expect(res.status).toBe(200);
  return parsePrometheusText(await res.text());
}

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-metrics');
  await fs.cp(probeChaincodeDir, path.join(kit.dataDir, 'workspaces', workspace), { recursive: true });
  const tokens = createTokenAuthority({ mainToken, generationOf: (w) => workspaceGeneration(kit.dataDir, w), workspaceTokenTtlMs: 60 * 60_000 });
  const hub = createHub();
  app = createApp({ dataDir: kit.dataDir, docker: kit.docker, hub: () => hub, tokens, instance: kit.instance, idleStopMs: 0 });
  server = await createStudioServer({ host: '127.0.0.1', port: 0, token: mainToken, tokens, staticDir: '/nonexistent', handlers: app.handlers, hub });
  metricsServer = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics: app.metrics });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await app?.sandboxes.destroy(workspace).catch(() => undefined);
  await app?.close();
  await server?.close();
  await metricsServer?.close();
  await kit?.cleanup();
  expect(await kit.containers()).toEqual([]);
});

it('counts a real Run, real invokes, a limit hit and the open connection', async () => {
  const before = await scrape();
  expect(sampleSum(before, 'studio_run_duration_seconds_count') ?? 0).toBe(0);
  expect(sampleSum(before, 'studio_websocket_connections')).toBe(0);

  const url = `http://127.0.0.1:${server.port}`;
  const client = await TestClient.open(`ws://127.0.0.1:${server.port}/ws?token=${mainToken}`, { origin: url });
  clients.push(client);
  await ok(client.request('workspace/open', { workspace }));
  expect((await ok<{ ok: boolean }>(client.request('run', { workspace }, slow))).ok).toBe(true);
  await ok(client.request('invoke', { workspace, mode: 'submit', contract: '', fn: 'Put', args: ['k', 'v'] }, slow));
  await ok(client.request('invoke', { workspace, mode: 'evaluate', contract: '', fn: 'Get', args: ['k'] }, slow));
  const unknown = await client.request('invoke', { workspace, mode: 'evaluate', contract: '', fn: 'NoSuchFunction', args: [] }, slow);
  expect('error' in unknown && unknown.error.code).toBe('chaincode');
  // Past the agent's log rate (500 lines a second): it drops lines and says so.
  await ok(client.request('invoke', { workspace, mode: 'evaluate', contract: '', fn: 'Flood', args: ['5000'] }, slow));

  let after = await scrape();
  for (let waited = 0; (sampleSum(after, 'studio_sandbox_limit_hits_total', { kind: 'log_rate' }) ?? 0) < 1 && waited < 15_000; waited += 250) {
    await new Promise((r) => setTimeout(r, 250));
    after = await scrape();
  }
  expect(sampleSum(after, 'studio_run_duration_seconds_count', { outcome: 'ok' })).toBe(1);
  expect(sampleSum(after, 'studio_run_duration_seconds_sum', { outcome: 'ok' })).toBeGreaterThan(0);
  expect(sampleSum(after, 'studio_invoke_duration_seconds_count', { mode: 'submit', outcome: 'ok' })).toBe(1);
  expect(sampleSum(after, 'studio_invoke_duration_seconds_count', { mode: 'evaluate', outcome: 'ok' })).toBe(2);
  expect(sampleSum(after, 'studio_invoke_duration_seconds_count', { mode: 'evaluate', outcome: 'chaincode' })).toBe(1);
  expect(sampleSum(after, 'studio_sandbox_limit_hits_total', { kind: 'log_rate' })).toBeGreaterThanOrEqual(1);
  expect(sampleSum(after, 'studio_sandbox_limit_hits_total', { kind: 'memory' })).toBe(0);
  expect(sampleSum(after, 'studio_sandboxes', { state: 'ready' })).toBe(1);
  expect(sampleSum(after, 'studio_websocket_connections')).toBe(1);
  expect(sampleSum(after, 'studio_sandbox_start_failures_total') ?? 0).toBe(0);
});

it('is not served on the IDE port, with the main token or a workspace token', async () => {
  const client = clients[0] as TestClient;
  const { workspaceToken } = await ok<{ workspaceToken: string }>(client.request('workspace/open', { workspace }));
  for (const token of [mainToken, workspaceToken]) {
    for (const pathAndQuery of [`/metrics?token=${encodeURIComponent(token)}`, '/metrics']) {
      const res = await fetch(`http://127.0.0.1:${server.port}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}`, cookie: `token=${token}` } });
      expect(res.status).not.toBe(200);
      expect(await res.text()).not.toMatch(/studio_/);
    }
  }
});
