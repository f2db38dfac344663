/**
 * What was dropped on the import area: one archive file, or files and
 * folders whose tree is kept (through `webkitGetAsEntry`, which every
 * Chromium, Firefox and Safari has).
 */
import type { FolderFile } from './folderFiles.ts';
import { archiveKindOf } from './folderFiles.ts';

/** A dropped archive, or the files of what was dropped at their paths. */
export type Dropped = { readonly archive: File } | { readonly files: FolderFile[]; readonly name: string };

function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries answers in batches (100 in Chromium) until it answers none.
  return new Promise((resolve, reject) => {
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(all);
        all.push(...batch);
        next();
      }, reject);
    next();
  });
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function collect(entry: FileSystemEntry, into: FolderFile[]): Promise<void> {
  if (entry.isFile) {
    into.push({ path: entry.fullPath.replace(/^\/+/, ''), file: await fileOf(entry as FileSystemFileEntry) });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) await collect(child, into);
  }
}

/**
 * Reads a drop. The entries are taken before the first await: a
 * DataTransfer's items are only readable while its event is handled.
 */
export async function readDrop(data: DataTransfer): Promise<Dropped | undefined> {
  const entries = Array.from(data.items)
    .filter((item) => item.kind === 'file')
    .map((item) => ({ entry: item.webkitGetAsEntry(), file: item.getAsFile() }));
  const [only] = entries;
  if (entries.length === 1 && only !== undefined && only.file !== null && only.entry?.isFile !== false && archiveKindOf(only.file.name) !== undefined) {
    return { archive: only.file };
  }
  const files: FolderFile[] = [];
  for (const { entry } of entries) if (entry !== null) await collect(entry, files);
  if (files.length === 0) return undefined;
  return { files, name: entries.length === 1 && only?.entry ? only.entry.name : 'project' };
}
