/**
 * Puts a workspace's installed npm dependencies where its chaincode finds
 * them in the sandbox: `<build dir>/node_modules`, which the sandbox sees as
 * `/chaincode/node_modules`, one folder above the chaincode's `/chaincode/app`,
 * so Node's lookup from the app finds it before NODE_PATH (the sandbox's
 * Fabric packages). It sits beside `app`, not in it, so a compile's swap of
 * `app` leaves it alone and it is rebuilt only when the dependencies change.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sandboxProvidedPackages } from '../npm/fabricRuntime.ts';

/** The file in the linked folder naming the dependency key it holds. */
const markerName = '.studio-dependency-key';
/** Top-level entries never linked: the sandbox's own Fabric packages must win, and the chaincode runs no bins. */
const leftOut = new Set<string>([...sandboxProvidedPackages, '.bin', '.package-lock.json']);

/** What {@link placeRuntimeDependencies} did. */
export interface PlacedDependencies {
  /** False when the build dir already held this key's packages. */
  readonly changed: boolean;
}

/**
 * Makes `<buildDir>/node_modules` hold the packages of `installed` (a
 * node_modules folder, with its cache `key`), or removes it when the
 * workspace has none (`installed` undefined). Files are hard-linked, or copied
 * across file systems; the folder is built beside its place and renamed in.
 */
export async function placeRuntimeDependencies(buildDir: string, installed: { readonly nodeModulesDir: string; readonly key: string } | undefined): Promise<PlacedDependencies> {
  const target = path.join(buildDir, 'node_modules');
  if (installed === undefined) {
    const had = await exists(target);
    await fs.rm(target, { recursive: true, force: true });
    return { changed: had };
  }
  const marker = await fs.readFile(path.join(target, markerName), 'utf8').catch(() => undefined);
  if (marker === installed.key) return { changed: false };
  const temp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await linkTree(installed.nodeModulesDir, temp, true);
    await fs.writeFile(path.join(temp, markerName), installed.key, { mode: 0o644 });
    const old = `${target}.old-${randomBytes(4).toString('hex')}`;
    const hadOld = await fs.rename(target, old).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      },
    );
    await fs.rename(temp, target);
    if (hadOld) await fs.rm(old, { recursive: true, force: true });
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true });
    throw err;
  }
  return { changed: true };
}

/**
 * Recreates `from` at `to`: folders made world-readable (the chaincode runs as
 * another uid), files hard-linked when others can already read them, else
 * copied and made readable (never a chmod of the shared install). Links are
 * left out: npm makes none but `.bin`, and one could point anywhere.
 */
async function linkTree(from: string, to: string, top: boolean): Promise<void> {
  await fs.mkdir(to);
  await fs.chmod(to, 0o755);
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (top && leftOut.has(entry.name)) continue;
    const source = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, dest, false);
    else if (entry.isFile()) await linkFile(source, dest);
  }
}

async function linkFile(source: string, dest: string): Promise<void> {
  const { mode } = await fs.stat(source);
  if ((mode & 0o004) !== 0) {
    try {
      await fs.link(source, dest);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  await fs.copyFile(source, dest);
  await fs.chmod(dest, (mode & 0o111) !== 0 ? 0o755 : 0o644);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
