/**
 * Writes that a crash cannot tear: the new content goes to a temporary file
 * in the same folder, is flushed to disk, and then replaces the old file with
 * one rename, so a reader sees either the old file or the new one, never half.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Prefix of temporary files; listings hide them and a crash may leave one behind. */
export const tempFilePrefix = '.studio-tmp-';

/** Replaces (or creates) `file` with `data` atomically and durably. */
export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `${tempFilePrefix}${randomBytes(6).toString('hex')}`);
  // O_EXCL and O_NOFOLLOW: never write through something that was already there.
  const handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/** Flushes a folder's entries (a rename or a new file) to disk. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
