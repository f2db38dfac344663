/**
 * `GET /workspace-zip/:workspace?token=…`: a workspace's sources as a `.zip`
 * attachment, built on request. The tokens are those of export downloads:
 * the main token zips any workspace, a workspace token only its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WorkspaceId, workspaceZipPathPrefix } from '../../protocol/messages.ts';
import { contentDisposition } from './downloadRoute.ts';
import { openGuardedRoute, type RouteAccess } from './guardedRoute.ts';
import { sendText } from './plainResponse.ts';

export { workspaceZipPathPrefix };

/** The zip of a workspace's sources, or undefined when there is no such workspace. */
export type WorkspaceZipper = (workspace: string) => Promise<Buffer | undefined>;

/** Answers one `/workspace-zip/` request; without `zip` every workspace is 404. */
export async function serveWorkspaceZip(
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  query: URLSearchParams,
  access: RouteAccess,
  zip: WorkspaceZipper | undefined,
): Promise<void> {
  const opened = await openGuardedRoute(res, { rawPath, prefix: workspaceZipPathPrefix, query }, access, {
    noToken: 'A valid token is required to download this workspace.',
    badId: 'No such workspace.',
  });
  if (opened === undefined) return;
  const { scope, id: workspace } = opened;
  if (!WorkspaceId.safeParse(workspace).success) {
    sendText(res, 404, 'No such workspace.');
    return;
  }
  // Refused before looking the workspace up, so a workspace token cannot learn which others exist.
  if (scope.kind === 'workspace' && scope.workspace !== workspace) {
    sendText(res, 403, 'This token opens another workspace; it may not download this one.');
    return;
  }
  const bytes = zip === undefined ? undefined : await zip(workspace);
  if (bytes === undefined) {
    sendText(res, 404, 'No such workspace.');
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'application/zip',
    'Content-Length': bytes.length,
    'Content-Disposition': contentDisposition(`${workspace}.zip`),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
