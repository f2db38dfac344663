/**
 * `GET /client-connection/:workspace/:file?token=…`: the files a client
 * application of the user's own needs (the client identity's certificate and
 * private key, the connection profile), as attachments. The tokens are those
 * of the other downloads: the main token reaches any workspace, a workspace
 * token only its own — the private key never goes out without one of them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClientConnectionFile, clientConnectionPathPrefix } from '../../protocol/clientConnection.ts';
import { WorkspaceId } from '../../protocol/messages.ts';
import { StudioError } from '../errors.ts';
import { contentDisposition } from './downloadRoute.ts';
import { openGuardedRoute, type RouteAccess } from './guardedRoute.ts';
import { sendText } from './plainResponse.ts';

export { clientConnectionPathPrefix };

/** One file of a workspace's client connection, or undefined when there is no such workspace. Throws a StudioError when it cannot be made now (no sandbox running). */
export type ClientConnectionFiles = (workspace: string, file: ClientConnectionFile) => Promise<{ contentType: string; body: string } | undefined>;

/** Answers one `/client-connection/` request; without `files` every request is 404. */
export async function serveClientConnectionFile(
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  query: URLSearchParams,
  access: RouteAccess,
  files: ClientConnectionFiles | undefined,
): Promise<void> {
  const opened = await openGuardedRoute(res, { rawPath, prefix: clientConnectionPathPrefix, query }, access, {
    noToken: 'A valid token is required to download the client connection.',
    badId: 'No such workspace.',
  });
  if (!opened) return;
  const { scope } = opened;
  const parts = opened.id.split('/');
  const workspace = parts[0] ?? '';
  const file = ClientConnectionFile.safeParse(parts[1]);
  if (parts.length !== 2 || !WorkspaceId.safeParse(workspace).success || !file.success) {
    sendText(res, 404, `No such file. The client connection has ${ClientConnectionFile.options.join(', ')}.`);
    return;
  }
  // Refused before looking the workspace up, so a workspace token cannot learn which others exist.
  if (scope.kind === 'workspace' && scope.workspace !== workspace) {
    sendText(res, 403, "This token opens another workspace; it may not download this workspace's client connection.");
    return;
  }
  let found: { contentType: string; body: string } | undefined;
  try {
    found = files === undefined ? undefined : await files(workspace, file.data);
  } catch (err) {
    if (!(err instanceof StudioError)) throw err;
    sendText(res, 409, err.message);
    return;
  }
  if (found === undefined) {
    sendText(res, 404, 'No such workspace.');
    return;
  }
  const body = Buffer.from(found.body, 'utf8');
  res.writeHead(200, {
    'Content-Type': found.contentType,
    'Content-Length': body.length,
    'Content-Disposition': contentDisposition(`${workspace}-${file.data}`),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
