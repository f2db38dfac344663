import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parsePrometheusText, sampleSum } from '../../tests/kit/prometheusText.ts';
import { startTestServer, testToken, type TestServer } from '../../tests/kit/studioHarness.ts';
import { startMetricsServer, type MetricsServer } from './metricsServer.ts';
import { createStudioMetrics } from './studioMetrics.ts';

let metricsServer: MetricsServer | undefined;
let studio: TestServer | undefined;

afterEach(async () => {
  await metricsServer?.close();
  await studio?.close();
  metricsServer = undefined;
  studio = undefined;
});

/** The status of a WebSocket upgrade to `url`: the HTTP status it was refused with, or 101. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', () => resolve(0));
  });
}

describe('the metrics endpoint', () => {
  it('answers GET /metrics on its own port in the Prometheus text format, and nothing else', async () => {
    const metrics = createStudioMetrics();
    metrics.limitHit('disk');
    metricsServer = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics });
    expect(metricsServer.url).toBe(`http://127.0.0.1:${metricsServer.port}`);

    const res = await fetch(`${metricsServer.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    const families = parsePrometheusText(await res.text());
    expect(sampleSum(families, 'studio_sandbox_limit_hits_total', { kind: 'disk' })).toBe(1);

    expect((await fetch(`${metricsServer.url}/`)).status).toBe(404);
    expect((await fetch(`${metricsServer.url}/metrics/../healthz`)).status).toBe(404);
    expect((await fetch(`${metricsServer.url}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect(await upgradeStatus(`ws://127.0.0.1:${metricsServer.port}/ws?token=${testToken}`)).not.toBe(101);
  });

  it('is not served by the IDE port, whatever token comes with the request', async () => {
    studio = await startTestServer();
    const base = `http://127.0.0.1:${studio.server.port}`;
    for (const url of [`${base}/metrics`, `${base}/metrics?token=${testToken}`]) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${testToken}` } });
      const body = await res.text();
      expect(body).not.toMatch(/^# (HELP|TYPE) studio_/m);
    }
  });

  it('reports a port that is taken instead of starting', async () => {
    metricsServer = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics: createStudioMetrics() });
    await expect(startMetricsServer({ host: '127.0.0.1', port: metricsServer.port, metrics: createStudioMetrics() })).rejects.toThrow(/EADDRINUSE/);
  });
});
