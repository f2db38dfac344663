/**
 * What a build was made from: a hash of the workspace's files, the installed
 * dependencies it was compiled against, and the compiler. Kept beside the
 * build (`<outDir>.stamp.json`), so Run on a workspace that has not changed
 * since its last good build (the first Run after a server restart, a second
 * click) reuses that build instead of compiling again, and reports the
 * diagnostics it had.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import type { Diagnostic } from '../../protocol/messages.ts';
import { maxFilesPerWorkspace, projectRoot } from '../config.ts';

/** Bumped when the way a build is made changes, so older builds are not reused. */
const stampFormat = 1;
/** Folders whose contents never go into a build. */
const skippedDirs = new Set(['node_modules', '.git', '.studio']);

export interface BuildStamp {
  readonly inputs: string;
  readonly language: 'typescript' | 'javascript';
  readonly entry: string;
  readonly diagnostics: Diagnostic[];
}

let studioLibraries: Promise<string> | undefined;

/** The studio's own locked packages (fabric-contract-api's types, @types/node): a new install means new builds. */
function librariesKey(): Promise<string> {
  studioLibraries ??= fs
    .readFile(path.join(projectRoot, 'package-lock.json'))
    .then((bytes) => createHash('sha256').update(bytes).digest('hex'))
    .catch(() => 'none');
  return studioLibraries;
}

/**
 * A hash of everything a build of `workspaceDir` depends on; undefined when the workspace has more
 * files than a workspace may (then it is simply compiled).
 */
export async function buildInputs(workspaceDir: string, dependenciesKey: string | undefined): Promise<string | undefined> {
  const hash = createHash('sha256').update(`${stampFormat}\0${ts.version}\0${await librariesKey()}\0${dependenciesKey ?? ''}\0`);
  let files = 0;
  const walk = async (dir: string, rel: string): Promise<boolean> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (skippedDirs.has(entry.name)) continue;
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        hash.update(`d\0${relPath}\0`);
        if (!(await walk(path.join(dir, entry.name), relPath))) return false;
      } else if (entry.isFile()) {
        if (++files > maxFilesPerWorkspace) return false;
        hash.update(`f\0${relPath}\0`).update(await fs.readFile(path.join(dir, entry.name))).update('\0');
      } else hash.update(`o\0${relPath}\0`);
    }
    return true;
  };
  return (await walk(workspaceDir, '')) ? hash.digest('hex') : undefined;
}

const stampFile = (outDir: string) => `${outDir}.stamp.json`;

/** The stamp of the build in `outDir` if it was made from `inputs` and is still there. */
export async function readBuildStamp(outDir: string, inputs: string): Promise<BuildStamp | undefined> {
  try {
    const stamp = JSON.parse(await fs.readFile(stampFile(outDir), 'utf8')) as BuildStamp;
    if (stamp.inputs !== inputs) return undefined;
    await fs.access(path.join(outDir, stamp.entry));
    return stamp;
  } catch {
    return undefined;
  }
}

export async function writeBuildStamp(outDir: string, stamp: BuildStamp): Promise<void> {
  const temp = `${stampFile(outDir)}.tmp`;
  await fs.writeFile(temp, JSON.stringify(stamp));
  await fs.rename(temp, stampFile(outDir));
}

/** Forgets the stamp before `outDir` changes, so a build cut short is never taken for the stamped one. */
export async function removeBuildStamp(outDir: string): Promise<void> {
  await fs.rm(stampFile(outDir), { force: true });
}
