/**
 * What the browser refuses before uploading, in the words the dialog shows:
 * a file that is no archive, and an upload over the server's body cap (the
 * workspace size limit), so a person is not kept waiting for a refusal.
 */
import { ErrorCode } from '../../../protocol/errors.ts';
import { limitText, maxWorkspaceBytes } from '../../../protocol/workspaceLimits.ts';
import { archiveKindOf } from './folderFiles.ts';

/** Why an upload is refused before it is sent: its error code and message. */
export interface UploadProblem {
  readonly code: typeof ErrorCode.BadFile | typeof ErrorCode.Limit;
  readonly message: string;
}

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** `what` (an archive, a zipped folder) is `bytes` long: the problem when that is over the cap. */
export function uploadSizeProblem(what: string, bytes: number): UploadProblem | null {
  if (bytes <= maxWorkspaceBytes) return null;
  return {
    code: ErrorCode.Limit,
    message: `${what} is ${megabytes(bytes)}; an upload may be at most ${limitText(maxWorkspaceBytes)}, the size limit of a workspace. Leave node_modules, build output and .git out of it.`,
  };
}

/** The problem with uploading `file` as an archive, or null. */
export function archiveProblem(file: { readonly name: string; readonly size: number }): UploadProblem | null {
  if (archiveKindOf(file.name) === undefined) return { code: ErrorCode.BadFile, message: `"${file.name}" is not a .zip, .tar.gz or .tgz file.` };
  return uploadSizeProblem(`"${file.name}"`, file.size);
}
