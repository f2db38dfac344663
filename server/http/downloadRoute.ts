/**
 * `GET /download/:id?token=…`: streams a file the server produced (an
 * exported package) as an attachment. The id is resolved by the caller's
 * `downloads` function; the token is required because the browser follows
 * the link outside the WebSocket.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { sendText } from './plainResponse.ts';
import { tokenMatches } from './token.ts';

export const downloadPathPrefix = '/download/';

/** A file ready to download. */
export interface DownloadFile {
  /** Absolute path on the server's disk. */
  readonly filePath: string;
  /** The name the browser saves it as. */
  readonly fileName: string;
}

/** Finds the file for a download id; undefined when there is none. */
export type DownloadResolver = (id: string) => DownloadFile | undefined | Promise<DownloadFile | undefined>;

/** The URL path for a download id; the browser adds `?token=`. */
export function downloadPath(id: string): string {
  return `${downloadPathPrefix}${encodeURIComponent(id)}`;
}

const downloadIdPattern = /^[A-Za-z0-9._-]{1,200}$/;

export async function serveDownload(
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  query: URLSearchParams,
  token: string,
  resolve: DownloadResolver | undefined,
): Promise<void> {
  if (!tokenMatches(token, query.get('token'))) {
    sendText(res, 403, 'A valid token is required to download this file.');
    return;
  }
  let id: string;
  try {
    id = decodeURIComponent(rawPath.slice(downloadPathPrefix.length));
  } catch {
    sendText(res, 404, 'No such download.');
    return;
  }
  const file = downloadIdPattern.test(id) && resolve !== undefined ? await resolve(id) : undefined;
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
