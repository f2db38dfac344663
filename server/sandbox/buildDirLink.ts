/**
 * A claimed spare mounts its own build dir (`builds/_pool-<id>`): the
 * workspace's build dir becomes a link to it, so what the server compiles for
 * the workspace lands where the sandbox reads. Shared by both drivers.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Makes `dir` a link to `mounted` (a sibling), moving in what was built in `dir`. Idempotent,
 * so a claim cut short (a killed server) is finished on reattach.
 */
export async function linkToSpareBuild(dir: string, mounted: string): Promise<void> {
  if (mounted === dir) return;
  const stat = await fs.lstat(dir).catch(() => undefined);
  if (stat?.isSymbolicLink() && (await fs.readlink(dir)) === path.basename(mounted)) return;
  if (stat?.isDirectory()) {
    for (const entry of await fs.readdir(dir)) {
      await fs.rm(path.join(mounted, entry), { recursive: true, force: true });
      await fs.rename(path.join(dir, entry), path.join(mounted, entry));
    }
    await fs.rmdir(dir);
  } else if (stat) await fs.rm(dir, { force: true });
  await fs.symlink(path.basename(mounted), dir);
}
