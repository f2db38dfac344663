/**
 * Importing a project as a new workspace (`workspace/import`): what the browser
 * sends (a picked folder's files or an archive) and what was left out.
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
export interface ImportSkipped {
  path: string;
  reason: ImportSkipReason;
  files: number;
}
/** One file of a picked folder, as the browser read it: UTF-8 `text`, or any bytes as `base64`. */
export const ImportFile = z.union([
  z.object({ path: z.string().min(1).max(1024), text: z.string() }).strict(),
  z.object({ path: z.string().min(1).max(1024), base64: z.string() }).strict(),
]);
export type ImportFile = z.infer<typeof ImportFile>;
/** An uploaded archive, base64-encoded. */
export const ImportArchive = z.object({ kind: z.enum(['zip', 'tar.gz']), base64: z.string().min(1) }).strict();
export type ImportArchive = z.infer<typeof ImportArchive>;
