/**
 * `POST /workspace-import/:workspace?kind=zip|tar.gz&token=…`: an archive
 * uploaded as the body becomes a new workspace. It is the way in for archives
 * larger than one WebSocket message carries; the reading, the limits and the
 * skip report are those of `workspace/import` (importArchive.ts). Only a token
 * that may create workspaces (the main token) may upload; the body is read up
 * to maxWorkspaceBytes and refused past it. Every answer is JSON, shaped like
 * a WebSocket reply: `{ result }` or `{ error: { code, message, data? } }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, type ErrorBody } from '../../protocol/errors.ts';
import { ImportArchiveKind, importUploadPathPrefix, WorkspaceId, type ResultOf } from '../../protocol/messages.ts';
import { limitText } from '../../protocol/workspaceLimits.ts';
import { maxWorkspaceBytes } from '../config.ts';
import { StudioError } from '../errors.ts';
import { scopeRefusal } from '../ws/scopeCheck.ts';
import { openGuardedRoute, type RouteAccess } from './guardedRoute.ts';
import { sendJson } from './plainResponse.ts';

export { importUploadPathPrefix };

/** Creates workspace `name` from an archive's bytes (importArchiveBytes, bound to the store). */
export type ArchiveImporter = (name: string, kind: ImportArchiveKind, bytes: Uint8Array) => Promise<ResultOf<'workspace/import'>>;

const statusOfCode: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.AlreadyExists]: 409,
  [ErrorCode.Limit]: 413,
  [ErrorCode.InvalidParams]: 400,
  [ErrorCode.BadFile]: 422,
  [ErrorCode.BadPath]: 422,
};

function sendError(res: ServerResponse, body: ErrorBody): void {
  sendJson(res, statusOfCode[body.code] ?? 500, { error: body });
}

function refuse(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { code: status === 403 ? ErrorCode.Forbidden : ErrorCode.NotFound, message } });
}

function uploadTooLarge(bytes: number | undefined, maxBodyBytes: number): ErrorBody {
  const size = bytes === undefined ? 'more than that' : `${bytes} bytes`;
  return {
    code: ErrorCode.Limit,
    message: `The upload is ${size}; an archive may be at most ${limitText(maxBodyBytes)}, the size limit of a workspace. Leave node_modules, build output and .git out of it.`,
  };
}

/** The whole body, or undefined once it passes `maxBytes` (the rest is then discarded unread). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        req.off('data', onData);
        req.off('end', onEnd);
        chunks.length = 0;
        // Keep reading into nothing so the browser finishes sending and reads the refusal.
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks, size));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/** Answers one upload; without `importer` every upload is refused as not found. */
export async function serveImportUpload(
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  query: URLSearchParams,
  access: RouteAccess,
  importer: ArchiveImporter | undefined,
  maxBodyBytes: number = maxWorkspaceBytes,
): Promise<void> {
  const opened = await openGuardedRoute(
    res,
    { rawPath, prefix: importUploadPathPrefix, query },
    access,
    { noToken: 'A valid token is required to import a project.', badId: 'The address does not name a workspace to create.' },
    refuse,
  );
  if (opened === undefined) return;
  const { scope, id: name } = opened;
  if (!WorkspaceId.safeParse(name).success) {
    return sendError(res, { code: ErrorCode.InvalidParams, message: `"${name}" is not a workspace name: use 1-63 lowercase letters, digits and dashes.` });
  }
  const refusal = scopeRefusal('workspace/import', { name }, scope);
  if (refusal !== undefined) return sendError(res, { code: ErrorCode.Forbidden, message: refusal });
  const kind = ImportArchiveKind.safeParse(query.get('kind'));
  if (!kind.success) {
    return sendError(res, { code: ErrorCode.InvalidParams, message: 'Say which archive this is: add kind=zip or kind=tar.gz to the address.' });
  }
  if (importer === undefined) return sendError(res, { code: ErrorCode.NotFound, message: 'This server does not import projects.' });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) return sendError(res, uploadTooLarge(declared, maxBodyBytes));

  const body = await readBody(req, maxBodyBytes);
  if (body === undefined) return sendError(res, uploadTooLarge(undefined, maxBodyBytes));
  if (body.byteLength === 0) return sendError(res, { code: ErrorCode.BadFile, message: 'The upload is empty: send the archive as the request body.' });
  try {
    sendJson(res, 200, { result: await importer(name, kind.data, body) });
  } catch (err) {
    // Anything else is a bug: the server's one handler logs it and answers 500.
    if (!(err instanceof StudioError)) throw err;
    sendError(res, err.toBody());
  }
}
