/**
 * The metrics endpoint: its own HTTP server on its own port (STUDIO_METRICS_PORT),
 * bound to loopback unless STUDIO_METRICS_HOST says otherwise, answering
 * `GET /metrics` in the Prometheus text format and nothing else. It shares
 * nothing with the IDE's server: the IDE's tokens do not open it, and the IDE's
 * port does not serve it. Whoever can reach the port can read the numbers
 * (counts and latencies, no workspace names), so keep it on loopback or a
 * network only the scraper reaches.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsPath } from '../config.ts';
import { sendText } from '../http/plainResponse.ts';
import type { StudioMetrics } from './studioMetrics.ts';

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly metrics: StudioMetrics;
  /** Where a failed scrape is reported (default: stderr). */
  readonly onError?: (err: unknown) => void;
}

export interface MetricsServer {
  /** `http://<host>:<port>` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { metrics } = options;
  const onError = options.onError ?? ((err: unknown) => console.error(`Serving metrics failed: ${String(err)}`));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? '').split('?', 1)[0];
    if (pathname !== metricsPath) {
      sendText(res, 404, `Only ${metricsPath} is served here.`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, `${metricsPath} answers GET and HEAD only.`, { Allow: 'GET, HEAD' });
      return;
    }
    const { contentType, text } = await metrics.render();
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) sendText(res, 500, 'Collecting the metrics failed.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
