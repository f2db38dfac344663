/**
 * The per-workspace quota: how many files and folders and how many bytes a
 * workspace may hold. Hidden folders count, so they cannot be used to get
 * around it; the store's own temporary files do not, so a write a crash left
 * behind never eats into the user's space.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { maxFilesPerWorkspace, maxWorkspaceBytes } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { tempFilePrefix } from './atomicWrite.ts';
import { isNotFound } from './resolveInside.ts';

/** What the workspace in `dir` holds, hidden folders included and the store's temporary files left out. */
export async function usageOf(dir: string): Promise<{ entries: number; bytes: number }> {
  const usage = { entries: 0, bytes: 0 };
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith(tempFilePrefix)) continue;
    const abs = path.join(dir, entry.name);
    usage.entries += 1;
    if (entry.isDirectory()) {
      const inner = await usageOf(abs);
      usage.entries += inner.entries;
      usage.bytes += inner.bytes;
    } else if (entry.isFile()) {
      usage.bytes += (await fs.lstat(abs)).size;
    }
  }
  return usage;
}

/** How many folders on the way to `rel` do not exist yet (they will be created). */
export async function missingParents(root: string, rel: string): Promise<number> {
  const parents = rel.split('/').slice(0, -1);
  let missing = 0;
  for (let depth = parents.length; depth > 0; depth -= 1) {
    try {
      await fs.lstat(path.join(root, ...parents.slice(0, depth)));
      break;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      missing += 1;
    }
  }
  return missing;
}

/** Refuses (`limit`) a change that would take the workspace at `root` over the quota. */
export async function checkLimits(root: string, rel: string, change: { addedEntries: number; addedBytes: number }): Promise<void> {
  if (change.addedEntries <= 0 && change.addedBytes <= 0) return;
  const usage = await usageOf(root);
  if (usage.entries + change.addedEntries > maxFilesPerWorkspace) {
    throw new StudioError(
      ErrorCode.Limit,
      `Cannot create "${rel}": a workspace holds at most ${maxFilesPerWorkspace} files and folders. Delete some first.`,
    );
  }
  if (usage.bytes + change.addedBytes > maxWorkspaceBytes) {
    throw new StudioError(
      ErrorCode.Limit,
      `Cannot save "${rel}": the workspace would exceed ${maxWorkspaceBytes} bytes in total. Delete or shrink other files first.`,
    );
  }
}
