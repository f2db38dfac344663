/**
 * The data folder holds every user's workspaces, ledgers, exports and the
 * server's token: it and its top folders are the server user's alone (0700),
 * and a folder an older version created more open is tightened at start.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { dataDirMode } from '../config.ts';
import { isNotFound } from './resolveInside.ts';
import { generationsDirName } from './workspaceGeneration.ts';

/** The folders directly under the data folder. */
export const dataSubdirNames: readonly string[] = ['workspaces', 'builds', 'exports', 'disks', generationsDirName];

/** The file under the data folder that keeps the main token across restarts. */
export const tokenFileName = 'token';

/** Mode of the files under the data folder that hold a secret (the token). */
export const secretFileMode = 0o600;

/** Creates the data folder and its top folders with mode 0700, and tightens them (and the token file) if they exist. */
export async function prepareDataDir(dataDir: string): Promise<void> {
  for (const dir of [dataDir, ...dataSubdirNames.map((name) => path.join(dataDir, name))]) {
    await fs.mkdir(dir, { recursive: true, mode: dataDirMode });
    await fs.chmod(dir, dataDirMode);
  }
  try {
    await fs.chmod(path.join(dataDir, tokenFileName), secretFileMode);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
