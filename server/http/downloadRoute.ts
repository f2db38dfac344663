/**
 * `GET /download/:id?token=…`: streams a file the server produced (an
 * exported package) as an attachment. The id is resolved by the caller's
 * `downloads` function; the token is required because the browser follows
 * the link outside the WebSocket. The main token downloads any file; a
 * workspace token only its own workspace's.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { downloadPath, downloadPathPrefix, ExportId } from '../../protocol/messages.ts';
import { openGuardedRoute, type RouteAccess } from './guardedRoute.ts';
import { sendText } from './plainResponse.ts';

export { downloadPath, downloadPathPrefix };

/** A file ready to download. */
export interface DownloadFile {
  /** Absolute path on the server's disk. */
  readonly filePath: string;
  /** The name the browser saves it as. */
  readonly fileName: string;
  /** The workspace it belongs to, whose token may download it; without one, only the main token may. */
  readonly workspace?: string;
}

/** Finds the file for a download id; undefined when there is none. */
export type DownloadResolver = (id: string) => DownloadFile | undefined | Promise<DownloadFile | undefined>;

export async function serveDownload(
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  query: URLSearchParams,
  access: RouteAccess,
  resolve: DownloadResolver | undefined,
): Promise<void> {
  const opened = await openGuardedRoute(res, { rawPath, prefix: downloadPathPrefix, query }, access, {
    noToken: 'A valid token is required to download this file.',
    badId: 'No such download.',
  });
  if (opened === undefined) return;
  const { scope, id } = opened;
  const file = ExportId.safeParse(id).success && resolve !== undefined ? await resolve(id) : undefined;
  if (file !== undefined && scope.kind === 'workspace' && file.workspace !== scope.workspace) {
    sendText(res, 403, "This token opens another workspace; it may not download this workspace's files.");
    return;
  }
  const size = file === undefined ? undefined : await fileSize(file.filePath);
  if (file === undefined || size === undefined) {
    sendText(res, 404, 'No such download. Export the package again.');
    return;
  }
  res.writeHead(200, {
    'Content-Type': contentTypeFor(file.fileName),
    'Content-Length': size,
    'Content-Disposition': contentDisposition(file.fileName),
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(createReadStream(file.filePath), res);
}

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987 form. */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^A-Za-z0-9._ -]/g, '_') || 'download';
  const exact = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

function contentTypeFor(fileName: string): string {
  if (/\.(tar\.gz|tgz)$/i.test(fileName)) return 'application/gzip';
  if (/\.zip$/i.test(fileName)) return 'application/zip';
  return 'application/octet-stream';
}

async function fileSize(filePath: string): Promise<number | undefined> {
  try {
    const stats = await stat(filePath);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}
