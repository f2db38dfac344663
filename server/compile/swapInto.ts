/**
 * Putting a finished build in place: a build is made in a fresh folder beside
 * its target and swapped in whole, so the running chaincode never sees half of one.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';

/** Replaces `outDir` with `fresh` by two renames; the old build is removed afterwards. */
export async function swapInto(fresh: string, outDir: string): Promise<void> {
  const old = `${outDir}.old-${randomBytes(4).toString('hex')}`;
  let hadOld = true;
  try {
    await fs.rename(outDir, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    hadOld = false;
  }
  await fs.rename(fresh, outDir);
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}
