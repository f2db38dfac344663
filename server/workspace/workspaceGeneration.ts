/**
 * A workspace's generation: a random id made when the workspace is created,
 * kept in `<dataDir>/workspace-generations/<id>`, outside the workspace's own
 * folder so it never reaches a build, an export or a client. Deleting a
 * workspace deletes its generation first, so a workspace created again under
 * the same name has a new one and the tokens of the old one stop working.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { WorkspaceId } from '../../protocol/messages.ts';
import { isNotFound } from './resolveInside.ts';

/** The folder under the data folder that holds one generation file per workspace. */
export const generationsDirName = 'workspace-generations';

const generationPattern = /^[0-9a-f]{32}$/;

function generationFile(dataDir: string, id: string): string {
  return path.join(dataDir, generationsDirName, id);
}

function newGeneration(): string {
  return randomBytes(16).toString('hex');
}

/** Gives workspace `id` a new generation (before its folder is put in place) and returns it. */
export async function writeNewGeneration(dataDir: string, id: string): Promise<string> {
  const generation = newGeneration();
  await fs.mkdir(path.join(dataDir, generationsDirName), { recursive: true, mode: 0o700 });
  await fs.writeFile(generationFile(dataDir, id), `${generation}\n`, { mode: 0o600 });
  return generation;
}

/** Forgets workspace `id`'s generation (before its folder is removed), so its tokens stop working at once. */
export async function removeGeneration(dataDir: string, id: string): Promise<void> {
  await fs.rm(generationFile(dataDir, id), { force: true });
}

/**
 * The generation of workspace `id` under `<dataDir>/workspaces/`, or undefined when there is no such
 * workspace. A workspace without one (from before generations, or copied in by hand) gets one now.
 */
export async function workspaceGeneration(dataDir: string, id: string): Promise<string | undefined> {
  if (!WorkspaceId.safeParse(id).success) return undefined;
  try {
    if (!(await fs.lstat(path.join(dataDir, 'workspaces', id))).isDirectory()) return undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const existing = await readGeneration(dataDir, id);
  if (existing !== undefined) return existing;
  await fs.mkdir(path.join(dataDir, generationsDirName), { recursive: true, mode: 0o700 });
  const generation = newGeneration();
  try {
    // wx: when two callers race, the first one's generation is the one both return.
    await fs.writeFile(generationFile(dataDir, id), `${generation}\n`, { mode: 0o600, flag: 'wx' });
    return generation;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A file that is there but unreadable as a generation is replaced, which revokes nothing valid.
    return (await readGeneration(dataDir, id)) ?? writeNewGeneration(dataDir, id);
  }
}

async function readGeneration(dataDir: string, id: string): Promise<string | undefined> {
  try {
    const text = (await fs.readFile(generationFile(dataDir, id), 'utf8')).trim();
    return generationPattern.test(text) ? text : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
