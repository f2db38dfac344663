/**
 * Putting a new workspace in place all at once: its folder is filled beside
 * the final place and renamed into it, so a half-made workspace is never
 * listed, and a failure leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { dataDirMode } from '../config.ts';
import { syncDir } from './atomicWrite.ts';
import { resolveInside } from './resolveInside.ts';
import { decodeText } from './textFile.ts';
import { writeNewGeneration } from './workspaceGeneration.ts';
import { checkLimits } from './workspaceLimits.ts';

/** One file of a workspace made from files: its workspace-relative path and its (UTF-8 text) bytes. */
export interface NewFile {
  readonly path: string;
  readonly content: Uint8Array;
}

export interface PlaceOptions {
  readonly dataDir: string;
  readonly workspacesDir: string;
  readonly id: string;
  /** The workspace's final folder; must not exist. */
  readonly target: string;
  /** Fills the given folder, which does not exist yet. */
  readonly fill: (temp: string) => Promise<void>;
  /** Prefix of the hidden folder it is filled in. */
  readonly tempPrefix: string;
}

/** Fills a hidden folder beside `target`, gives the workspace a generation and renames the folder into place. */
export async function placeNewWorkspace(options: PlaceOptions): Promise<void> {
  await fs.mkdir(options.workspacesDir, { recursive: true, mode: dataDirMode });
  const temp = path.join(options.workspacesDir, `${options.tempPrefix}${options.id}-${randomBytes(4).toString('hex')}`);
  try {
    await options.fill(temp);
    await writeNewGeneration(options.dataDir, options.id);
    await fs.rename(temp, options.target);
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true });
    throw err;
  }
  await syncDir(options.workspacesDir);
}

/**
 * Creates folder `root` holding `files`, within the workspace limits (checked before anything is
 * written) and the store's path and text rules; `name` is the workspace, for messages.
 */
export async function writeNewFiles(root: string, name: string, files: readonly NewFile[]): Promise<void> {
  const folders = new Set<string>();
  let bytes = 0;
  for (const file of files) {
    const parts = file.path.split('/');
    for (let depth = 1; depth < parts.length; depth += 1) folders.add(parts.slice(0, depth).join('/'));
    bytes += file.content.byteLength;
  }
  await fs.mkdir(root);
  await checkLimits(root, name, { addedEntries: files.length + folders.size, addedBytes: bytes });
  for (const file of files) {
    const target = await resolveInside(root, file.path);
    decodeText(target.rel, file.content);
    await fs.mkdir(path.dirname(target.abs), { recursive: true });
    // wx and O_NOFOLLOW: a second file of the same name, or a link, fails instead of being written through.
    const handle = await fs.open(target.abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      await handle.writeFile(file.content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
