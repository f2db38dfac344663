/**
 * Reads a directory into the list of files a chaincode package holds, walking
 * it the way Fabric's `WriteFolderToTarPackage` does: depth first, each
 * directory's entries in byte order, skipping every directory named
 * `node_modules` or `.git`.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { maxFilesPerWorkspace, maxWorkspaceBytes } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { TarFile } from './fabricTar.ts';

/** What a walk found: the files to package, and what it left out on purpose. */
export interface SourceTree {
  /** Regular files, slash-separated paths relative to the root, in Fabric's walk order. */
  readonly files: readonly TarFile[];
  /**
   * Symbolic links and other non-regular entries, which are never packaged.
   * Fabric's CLI would follow a link and copy its target, which may lie
   * outside the workspace; we leave it out and say so.
   */
  readonly skipped: readonly string[];
}

const excludedDirectories = new Set(['node_modules', '.git']);

/** Walks `root`; throws `export` if it is missing or larger than a workspace may be. */
export async function readSourceTree(root: string): Promise<SourceTree> {
  const files: TarFile[] = [];
  const skipped: string[] = [];
  let totalBytes = 0;

  const walk = async (relative: string): Promise<void> => {
    const absolute = path.join(root, relative);
    const names = (await readdir(absolute)).sort(compareBytes);
    for (const name of names) {
      const childRelative = relative === '' ? name : `${relative}/${name}`;
      const stats = await lstat(path.join(root, childRelative));
      if (stats.isDirectory()) {
        if (!excludedDirectories.has(name)) await walk(childRelative);
      } else if (stats.isFile()) {
        totalBytes += stats.size;
        if (files.length >= maxFilesPerWorkspace || totalBytes > maxWorkspaceBytes) {
          throw new StudioError(
            ErrorCode.Export,
            `The chaincode in ${root} is too large to package (at most ${maxFilesPerWorkspace} files and ${maxWorkspaceBytes} bytes).`,
          );
        }
        files.push({ path: childRelative, content: await readFile(path.join(root, childRelative)) });
      } else {
        skipped.push(childRelative);
      }
    }
  };

  try {
    await walk('');
  } catch (err) {
    if (err instanceof StudioError) throw err;
    throw new StudioError(ErrorCode.Export, `Could not read the chaincode files in ${root}.`, { cause: err });
  }
  return { files, skipped };
}

/** Orders names by their UTF-8 bytes, as Go's `sort.Strings` does. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
