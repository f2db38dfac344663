/**
 * What a workspace or sample folder is, read from disk: its language (studio.json, go.mod or
 * tsconfig.json), the files a listing shows (walk), its newest change, and a copy of a sample.
 */
import type { Dirent } from 'node:fs';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { tempFilePrefix } from './atomicWrite.ts';
import { installedFolderName } from './resolveInside.ts';

export type WorkspaceLanguage = 'typescript' | 'javascript' | 'go';

/** The workspace's own folder for the server's files (breakpoints, settings), never listed or copied. */
export const studioDirName = '.studio';

const StudioJson = z.object({
  title: z.string(),
  language: z.enum(['typescript', 'javascript', 'go']),
  chaincodeName: z.string(),
});

const skippedEverywhere = new Set([installedFolderName, '.git']);
const skippedAtRoot = new Set(['dist', studioDirName]);
const skippedWhenCopying = new Set(['node_modules', '.git', 'dist', studioDirName]);

export async function readStudioJson(dir: string): Promise<z.infer<typeof StudioJson> | undefined> {
  try {
    const parsed = StudioJson.safeParse(JSON.parse(await fs.readFile(path.join(dir, 'studio.json'), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A Go module at the root (a go.mod) is built as Go chaincode (server/golang/); anything else as Node. */
export async function isGoWorkspace(root: string): Promise<boolean> {
  try {
    return (await fs.stat(path.join(root, 'go.mod'))).isFile();
  } catch {
    return false;
  }
}

export async function languageOf(root: string): Promise<WorkspaceLanguage> {
  const info = await readStudioJson(root);
  if (info !== undefined) return info.language;
  if (await isGoWorkspace(root)) return 'go';
  try {
    await fs.access(path.join(root, 'tsconfig.json'));
    return 'typescript';
  } catch {
    return 'javascript';
  }
}

/**
 * Visits every file and folder below `dir` that a listing shows, never
 * following symlinks. `size` is the file size in bytes (0 for folders).
 */
export async function walk(dir: string, relDir: string, visit: (rel: string, entry: Dirent, size: number) => void): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (skippedEverywhere.has(entry.name) || (relDir === '' && skippedAtRoot.has(entry.name))) continue;
    if (entry.name.startsWith(tempFilePrefix) || !(entry.isFile() || entry.isDirectory())) continue;
    const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      visit(rel, entry, 0);
      await walk(abs, rel, visit);
    } else {
      visit(rel, entry, (await fs.lstat(abs)).size);
    }
  }
}

export async function newestChangeMs(root: string): Promise<number> {
  let newest = (await fs.lstat(root)).mtimeMs;
  const stats: Promise<void>[] = [];
  await walk(root, '', (rel) => {
    stats.push(
      fs.lstat(path.join(root, rel)).then((s) => {
        newest = Math.max(newest, s.mtimeMs);
      }),
    );
  });
  await Promise.all(stats);
  return newest;
}

/** Copies regular files and folders (no symlinks, no build output or dependencies). */
export async function copyTree(from: string, to: string): Promise<void> {
  await fs.mkdir(to);
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (skippedWhenCopying.has(entry.name)) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) await copyTree(source, target);
    else if (entry.isFile()) await fs.copyFile(source, target, constants.COPYFILE_EXCL);
  }
}
