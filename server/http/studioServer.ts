/**
 * The server's network edge: one HTTP server that serves the built client,
 * `/healthz`, `/download/:id`, `/workspace-zip/:workspace` and
 * `/client-connection/:workspace/:file`, takes archive uploads at
 * `POST /workspace-import/:workspace`, and upgrades `/ws` to the WebSocket
 * endpoint whose requests go to the handlers the app plugs in.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wsPath } from '../config.ts';
import { defaultEdgeLimits, type EdgeLimits } from '../ws/edgeLimits.ts';
import { consoleEdgeLogger, redactUrl, type EdgeLogger } from '../ws/edgeLogger.ts';
import type { Handlers } from '../ws/handlers.ts';
import { createHub, type Hub, type StudioHub } from '../ws/hub.ts';
import { createWsEndpoint } from '../ws/wsEndpoint.ts';
import { clientConnectionPathPrefix, serveClientConnectionFile, type ClientConnectionFiles } from './clientConnectionRoute.ts';
import { downloadPathPrefix, serveDownload, type DownloadResolver } from './downloadRoute.ts';
import { importUploadPathPrefix, serveImportUpload, type ArchiveImporter } from './importUploadRoute.ts';
import { sendJson, sendText } from './plainResponse.ts';
import { applySecurityHeaders } from './securityHeaders.ts';
import { createStaticSite } from './staticSite.ts';
import type { TokenAuthority, TokenScope } from './tokenScope.ts';
import { createUpgradeGuard } from './upgradeGuard.ts';
import { serveWorkspaceZip, workspaceZipPathPrefix, type WorkspaceZipper } from './workspaceZipRoute.ts';

export interface StudioServerOptions {
  /** Interface to listen on, e.g. 127.0.0.1. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Required on the WebSocket upgrade and on downloads. Must not be empty. */
  readonly token: string;
  /**
   * Exact `Origin` values allowed to open the WebSocket. Default:
   * `http://<host>:<port>`, `http://127.0.0.1:<port>`, `http://localhost:<port>`.
   */
  readonly allowedOrigins?: readonly string[];
  /** The built client (config.clientDistDir). */
  readonly staticDir: string;
  readonly handlers: Handlers;
  /** Resolves `/download/:id`; without it every download is 404. */
  readonly downloads?: DownloadResolver;
  /** Zips a workspace's sources for `/workspace-zip/:workspace`; without it every such request is 404. */
  readonly workspaceZips?: WorkspaceZipper;
  /** The files of `/client-connection/:workspace/:file` (client identity, connection profile); without it every such request is 404. */
  readonly clientConnectionFiles?: ClientConnectionFiles;
  /** Creates a workspace from an archive posted to `/workspace-import/:workspace`; without it every upload is refused. */
  readonly archiveImports?: ArchiveImporter;
  /** Pass one when handlers need the hub before the server exists; by default a new one. */
  readonly hub?: StudioHub;
  /** Overrides of the config limits (tests tighten them). */
  readonly limits?: Partial<EdgeLimits>;
  /** Default: stderr. */
  readonly log?: EdgeLogger;
  /** Grants workspace tokens besides `token` (which must be its main token). */
  readonly tokens?: TokenAuthority;
}

export interface StudioServer {
  /** `http://<host>:<port>` (IPv6 hosts in brackets). */
  readonly url: string;
  readonly port: number;
  readonly hub: Hub;
  /** Closes every WebSocket (1001), stops listening and ends open HTTP connections. Idempotent. */
  close(): Promise<void>;
}

export async function createStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  if (options.token.length === 0) throw new Error('createStudioServer: the token must not be empty');
  const { host, token, handlers, downloads } = options;
  const limits: EdgeLimits = { ...defaultEdgeLimits, ...options.limits };
  const log = options.log ?? consoleEdgeLogger;
  const hub = options.hub ?? createHub(log);
  const tokens = options.tokens;
  const endpoint = createWsEndpoint({ hub, handlers, limits, log, ...(tokens ? { scopeIsCurrent: (scope: TokenScope) => tokens.isCurrent(scope) } : {}) });
  const site = createStaticSite(options.staticDir);
  let allowedOrigins: ReadonlySet<string> = new Set(options.allowedOrigins ?? []);
  const guard = createUpgradeGuard({
    token,
    allowedOrigins: () => allowedOrigins,
    maxConnectionsPerToken: limits.maxConnectionsPerToken,
    maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
    log,
    ...(options.tokens ? { authority: options.tokens } : {}),
  });
  const startedAtMs = Date.now();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    applySecurityHeaders(req, res);
    const [pathname = '', rawQuery = ''] = (req.url ?? '').split('?', 2);
    if (pathname.startsWith(importUploadPathPrefix)) {
      if (req.method !== 'POST') {
        sendText(res, 405, 'Post the archive here.', { Allow: 'POST' });
        return;
      }
      await serveImportUpload(req, res, pathname, new URLSearchParams(rawQuery), { token, authority: options.tokens }, options.archiveImports);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Only GET and HEAD are served here (and POST of an archive to /workspace-import/); everything else goes over the WebSocket.', {
        Allow: 'GET, HEAD',
      });
      return;
    }
    if (pathname === '/healthz') {
      sendJson(res, 200, { ok: true, connections: hub.connectionCount, uptimeSeconds: Math.round((Date.now() - startedAtMs) / 1000) });
      return;
    }
    if (pathname.startsWith(downloadPathPrefix)) {
      await serveDownload(req, res, pathname, new URLSearchParams(rawQuery), { token, authority: options.tokens }, downloads);
      return;
    }
    if (pathname.startsWith(workspaceZipPathPrefix)) {
      await serveWorkspaceZip(req, res, pathname, new URLSearchParams(rawQuery), { token, authority: options.tokens }, options.workspaceZips);
      return;
    }
    if (pathname.startsWith(clientConnectionPathPrefix)) {
      await serveClientConnectionFile(req, res, pathname, new URLSearchParams(rawQuery), { token, authority: options.tokens }, options.clientConnectionFiles);
      return;
    }
    if (pathname === wsPath) {
      sendText(res, 426, 'This address only accepts WebSocket connections.', { Upgrade: 'websocket' });
      return;
    }
    await site.serve(req, res, pathname);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      // The browser went away mid-download (closed tab, reload): nothing failed on our side.
      if ((err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
      log.error(`HTTP ${req.method ?? '?'} ${redactUrl(req.url)} failed:`, err);
      if (!res.headersSent) sendText(res, 500, 'Internal server error.');
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    guard.admit(req, socket).then(
      (scope) => {
        if (scope !== undefined) endpoint.handleUpgrade(req, socket, head, scope);
      },
      (err: unknown) => {
        log.error(`WebSocket upgrade ${redactUrl(req.url)} failed:`, err);
        socket.destroy();
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${formatHost(host)}:${port}`;
  if (options.allowedOrigins === undefined) {
    allowedOrigins = new Set([url, `http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    hub,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await endpoint.close();
        server.closeAllConnections();
        await stopped;
      })();
      return closing;
    },
  };
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
