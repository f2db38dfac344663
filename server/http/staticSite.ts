/**
 * Serves the built client (dist/client) as a single-page app: files by path
 * with their content type, `index.html` for `/` and for unknown paths that
 * are not assets, and long cache lifetimes for the content-hashed files
 * under /assets/. Paths that try to leave the directory are refused.
 */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { immutableAssetMaxAgeSeconds } from '../config.ts';
import { sendText } from './plainResponse.ts';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

/** Vite writes content-hashed file names here, so they can be cached for good. */
const assetsSegment = 'assets';

export interface StaticSite {
  /** Answers a GET or HEAD for `rawPath` (the URL path, still percent-encoded). */
  serve(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void>;
}

export function createStaticSite(staticDir: string): StaticSite {
  const root = path.resolve(staticDir);
  const indexPath = path.join(root, 'index.html');

  async function sendIndex(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const stats = await fileStats(indexPath);
    if (stats === undefined) {
      sendNotBuilt(res, root);
      return;
    }
    await sendFile(req, res, indexPath, stats, 'no-cache');
  }

  return {
    async serve(req, res, rawPath) {
      const segments = pathSegments(rawPath);
      if (segments === undefined) {
        sendText(res, 400, 'Bad path.');
        return;
      }
      if (segments.some((segment) => segment.startsWith('.'))) {
        sendText(res, 404, 'Not found.');
        return;
      }
      const filePath = path.join(root, ...segments);
      // pathSegments already refuses "..", this only guards against a mistake there.
      if (filePath !== root && !filePath.startsWith(root + path.sep)) {
        sendText(res, 400, 'Bad path.');
        return;
      }
      const isAsset = segments[0] === assetsSegment;
      const stats = segments.length === 0 ? undefined : await fileStats(filePath);
      if (stats !== undefined) {
        const cacheControl = isAsset ? `public, max-age=${immutableAssetMaxAgeSeconds}, immutable` : 'no-cache';
        await sendFile(req, res, filePath, stats, cacheControl);
        return;
      }
      const last = segments.at(-1) ?? '';
      if (isAsset || path.extname(last) !== '') {
        sendText(res, 404, 'Not found.');
        return;
      }
      await sendIndex(req, res);
    },
  };
}

/**
 * The decoded, non-empty segments of a URL path, or undefined when the path
 * is malformed or tries to climb out (`..`, `%2e%2e`, backslashes, NUL).
 */
export function pathSegments(rawPath: string): string[] | undefined {
  if (!rawPath.startsWith('/')) return undefined;
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '..' || segment === '.' || /[\\/\0]/.test(segment)) return undefined;
    if (segment !== '') segments.push(segment);
  }
  return segments;
}

async function fileStats(filePath: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(filePath);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(req: IncomingMessage, res: ServerResponse, filePath: string, stats: Stats, cacheControl: string): Promise<void> {
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  const headers = {
    'Content-Type': contentTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': cacheControl,
    ETag: etag,
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': stats.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(createReadStream(filePath), res);
}

function sendNotBuilt(res: ServerResponse, root: string): void {
  const body = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Chaincode Studio: the client is not built</title>
<h1>The Chaincode Studio client is not built yet</h1>
<p>The server is running, but found no <code>index.html</code> in <code>${escapeHtml(root)}</code>.</p>
<p>Run <code>npm start</code> to build the client and start the server (or <code>npm run build</code>), then reload this page.</p>
</html>
`;
  res.writeHead(503, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
