/**
 * One image build at a time per cache folder, across processes (`npm start`
 * beside `npm test`, two test files at once). Builds stage the image as hard
 * links to the cached root filesystem; a second build linking the same files
 * changes their link count while the first one's tar reads them, and tar
 * fails with "file changed as we read it".
 *
 * The lock is a file holding the builder's pid, created whole with link(2) so
 * that it never exists empty; a lock whose process has ended is taken over.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const pollMs = 250;

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock if it is free or its holder has ended; false while a live process holds it. */
async function tryTake(lockFile: string): Promise<boolean> {
  // Unique per attempt: two builds of one process must not share (and delete) each other's file.
  const mine = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(mine, String(process.pid));
  try {
    for (;;) {
      try {
        await fs.link(mine, lockFile);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = await fs.readFile(lockFile, 'utf8').catch(() => undefined);
      // Gone between the link and the read: try again.
      if (held === undefined) continue;
      if (alive(Number(held))) return false;
      // Held by an ended process: take it over.
      await fs.rm(lockFile, { force: true });
    }
  } finally {
    await fs.rm(mine, { force: true });
  }
}

/** Runs `work` holding the lock; `onWait` is told once if another process holds it first. */
export async function withBuildLock<T>(lockFile: string, work: () => Promise<T>, onWait?: () => void): Promise<T> {
  await fs.mkdir(path.dirname(lockFile), { recursive: true });
  let told = false;
  while (!(await tryTake(lockFile))) {
    if (!told) onWait?.();
    told = true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return await work();
  } finally {
    await fs.rm(lockFile, { force: true });
  }
}
