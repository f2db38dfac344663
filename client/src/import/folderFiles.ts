/**
 * A picked or dropped folder, made ready to upload: its files relative to the
 * folder itself, with what the import would leave out anyway left unread
 * (folders such as node_modules, and files over the per-file limit), then
 * zipped so a folder takes the same way in as an archive.
 */
import { zipSync, type Zippable } from 'fflate';
import { importSkippedFolders, type ImportArchiveKind, type ImportSkipped } from '../../../protocol/workspaceImport.ts';
import { maxFileBytes } from '../../../protocol/workspaceLimits.ts';

/** One file of a folder: its '/'-separated path and its contents, not yet read. */
export interface FolderFile {
  readonly path: string;
  readonly file: Blob;
}

/** The files to upload, and what was left unread and why (reported like the server's skips). */
export interface FolderSelection {
  readonly files: FolderFile[];
  readonly skipped: ImportSkipped[];
}

/** The files of an `<input webkitdirectory>`, each at its path below the picked folder's parent. */
export function filesOfInput(list: Iterable<File>): FolderFile[] {
  return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/** The one top folder every path lies in (the picked folder's own name), if there is one. */
function topFolderOf(files: readonly FolderFile[]): string | undefined {
  let top: string | undefined;
  for (const { path } of files) {
    const slash = path.indexOf('/');
    if (slash <= 0) return undefined;
    const first = path.slice(0, slash);
    if (top !== undefined && top !== first) return undefined;
    top = first;
  }
  return top;
}

/**
 * Drops the folder's own name from the paths, and sets aside unread what the
 * import skips whatever it holds: files inside importSkippedFolders (grouped
 * by that folder) and files over maxFileBytes.
 */
export function selectFolderFiles(all: readonly FolderFile[]): FolderSelection {
  const top = topFolderOf(all);
  const files: FolderFile[] = [];
  const groups = new Map<string, ImportSkipped>();
  const skip = (path: string, reason: ImportSkipped['reason']): void => {
    const group = groups.get(path) ?? { path, reason, files: 0 };
    group.files += 1;
    groups.set(path, group);
  };
  for (const entry of all) {
    const path = top === undefined ? entry.path : entry.path.slice(top.length + 1);
    const segments = path.split('/');
    const folderAt = segments.slice(0, -1).findIndex((segment) => importSkippedFolders.has(segment));
    const folderReason = folderAt < 0 ? undefined : importSkippedFolders.get(segments[folderAt] ?? '');
    if (folderReason !== undefined) skip(`${segments.slice(0, folderAt + 1).join('/')}/`, folderReason);
    else if (entry.file.size > maxFileBytes) skip(path, 'too-large');
    else files.push({ path, file: entry.file });
  }
  return { files, skipped: [...groups.values()] };
}

/** A zip of `files` at their paths, each read once. */
export async function zipFolder(files: readonly FolderFile[]): Promise<Uint8Array> {
  const entries: Zippable = {};
  for (const { path, file } of files) entries[path] = new Uint8Array(await file.arrayBuffer());
  return zipSync(entries, { level: 6 });
}

/** The archive format a file name says, or undefined for anything else. */
export function archiveKindOf(fileName: string): ImportArchiveKind | undefined {
  const name = fileName.toLowerCase();
  if (name.endsWith('.zip')) return 'zip';
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'tar.gz';
  return undefined;
}

/** A workspace name made from a folder's or an archive's name: lowercase letters, digits and dashes. */
export function suggestedWorkspaceName(sourceName: string): string {
  const base = sourceName.replace(/\.(zip|tar\.gz|tgz)$/i, '');
  return base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}
