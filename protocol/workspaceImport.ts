/**
 * Importing a project as a new workspace: what `workspace/import` carries (a
 * picked folder's files or an archive), the HTTP upload route for archives
 * too large for one WebSocket message, and what was left out.
 */
import { z } from 'zod';

/** Why an imported entry was left out; the UI words each reason. */
export const ImportSkipReason = z.enum([
  'dependencies',
  'build-output',
  'version-control',
  'test-output',
  'os-metadata',
  'log',
  'secret',
  'unsafe-path',
  'link',
  'special',
  'binary',
  'too-large',
  'duplicate',
  'reserved',
]);
export type ImportSkipReason = z.infer<typeof ImportSkipReason>;
/** What was left out, grouped: a folder (`node_modules/`, path ending in '/') with its file count, or one file. */
export const ImportSkipped = z.object({ path: z.string(), reason: ImportSkipReason, files: z.number().int().min(0) });
export type ImportSkipped = z.infer<typeof ImportSkipped>;

/**
 * Folders left out wherever they are in a project, and why. The server's
 * import policy applies them; the browser uses them to leave such folders
 * unread (node_modules can be far larger than the project).
 */
export const importSkippedFolders: ReadonlyMap<string, ImportSkipReason> = new Map<string, ImportSkipReason>([
  ['node_modules', 'dependencies'],
  ['.git', 'version-control'],
  ['.hg', 'version-control'],
  ['.svn', 'version-control'],
  ['coverage', 'test-output'],
  ['.nyc_output', 'test-output'],
  ['__MACOSX', 'os-metadata'],
]);
/** One file of a picked folder, as the browser read it: UTF-8 `text`, or any bytes as `base64`. */
export const ImportFile = z.union([
  z.object({ path: z.string().min(1).max(1024), text: z.string() }).strict(),
  z.object({ path: z.string().min(1).max(1024), base64: z.string() }).strict(),
]);
export type ImportFile = z.infer<typeof ImportFile>;
/** An uploaded archive, base64-encoded. */
export const ImportArchive = z.object({ kind: z.enum(['zip', 'tar.gz']), base64: z.string().min(1) }).strict();
export type ImportArchive = z.infer<typeof ImportArchive>;

/** The archive formats an import reads. */
export const ImportArchiveKind = ImportArchive.shape.kind;
export type ImportArchiveKind = z.infer<typeof ImportArchiveKind>;

/**
 * Where an archive is uploaded as a new workspace:
 * `POST <prefix><workspace>?kind=zip|tar.gz&token=…`, the raw archive as the body
 * (at most maxWorkspaceBytes). It answers like a WebSocket reply:
 * `{ result }` as `workspace/import` gives it, or `{ error: { code, message, data? } }`.
 */
export const importUploadPathPrefix = '/workspace-import/';
/** The URL path an archive for new workspace `workspace` is posted to (the client adds the token). */
export function importUploadPath(workspace: string, kind: ImportArchiveKind): string {
  return `${importUploadPathPrefix}${encodeURIComponent(workspace)}?kind=${encodeURIComponent(kind)}`;
}
