/**
 * What a killed server (`kill -9`, a power cut) leaves behind, removed at the
 * next start before anything else runs: the store's temporary files inside
 * workspaces (half-done atomic writes), the hidden folders beside them of a
 * workspace being created or deleted, and the private folders a deploy writes
 * an admin's key to.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { leftoverDeployDirMinAgeMs } from '../config.ts';
import { tempFilePrefix } from './atomicWrite.ts';
import { isNotFound } from './resolveInside.ts';
import { copyPrefix, trashPrefix } from './workspaceStore.ts';

/** The folders `mkdtemp('<tmp>/ccs-deploy-')` makes in server/fabric/peerCli.ts: the prefix and six random characters. */
const deployDirPattern = /^ccs-deploy-[A-Za-z0-9]{6}$/;

export interface SweepOptions {
  readonly dataDir: string;
  /** Where deploys make their private folders. Default: the system's temp folder. */
  readonly tempDir?: string;
  /** Wall clock in milliseconds; tests pass a fake one. */
  readonly nowMs?: () => number;
}

/** How many of each kind of leftover were removed. */
export interface SweepReport {
  readonly tempFiles: number;
  readonly workspaceFolders: number;
  readonly deployFolders: number;
}

/** Removes the leftovers of a previous run. Call it at start, before the server takes requests. */
export async function sweepLeftovers(options: SweepOptions): Promise<SweepReport> {
  const workspacesDir = path.join(options.dataDir, 'workspaces');
  let tempFiles = 0;
  let workspaceFolders = 0;
  for (const entry of await entriesOf(workspacesDir)) {
    const abs = path.join(workspacesDir, entry.name);
    if (entry.isDirectory() && (entry.name.startsWith(trashPrefix) || entry.name.startsWith(copyPrefix))) {
      await fs.rm(abs, { recursive: true, force: true });
      workspaceFolders += 1;
    } else if (entry.isDirectory()) {
      tempFiles += await removeTempFiles(abs);
    }
  }
  const deployFolders = await removeDeployFolders(options.tempDir ?? os.tmpdir(), (options.nowMs ?? Date.now)());
  return { tempFiles, workspaceFolders, deployFolders };
}

/** Removes the store's temporary files anywhere below `dir`, never following symlinks. */
async function removeTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await entriesOf(dir)) {
    const abs = path.join(dir, entry.name);
    if (entry.name.startsWith(tempFilePrefix) && !entry.isDirectory()) {
      await fs.rm(abs, { force: true });
      removed += 1;
    } else if (entry.isDirectory()) {
      removed += await removeTempFiles(abs);
    }
  }
  return removed;
}

/**
 * Removes deploy folders that are ours and older than any deploy runs: a younger one may belong to
 * a deploy another server on this machine is running right now.
 */
async function removeDeployFolders(tempDir: string, nowMs: number): Promise<number> {
  const uid = process.getuid?.();
  let removed = 0;
  for (const entry of await entriesOf(tempDir)) {
    if (!entry.isDirectory() || !deployDirPattern.test(entry.name)) continue;
    const abs = path.join(tempDir, entry.name);
    const stats = await fs.lstat(abs).catch(() => undefined);
    if (stats === undefined || (uid !== undefined && stats.uid !== uid)) continue;
    if (nowMs - stats.mtimeMs < leftoverDeployDirMinAgeMs) continue;
    await fs.rm(abs, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}
