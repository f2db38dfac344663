/**
 * The limits of one workspace, declared once: the server holds every write
 * and import to them, and the browser names them before it uploads.
 */

/** Largest file a workspace holds. */
export const maxFileBytes = 1024 * 1024;
/** Files and folders a workspace holds, together. */
export const maxFilesPerWorkspace = 2000;
/** All of a workspace's files together; also the largest upload `POST /workspace-import/` reads. */
export const maxWorkspaceBytes = 20 * 1024 * 1024;

/** A limit in bytes as people read it, with the exact count: `20 MB (20971520 bytes)`. */
export function limitText(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  const rounded = Number.isInteger(mib) ? String(mib) : mib.toFixed(1);
  return `${rounded} MB (${bytes} bytes)`;
}
