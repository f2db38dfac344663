/**
 * The random id of one server's data dir. Every sandbox carries it as a label,
 * so two servers on one Docker daemon never list, reattach to or remove each
 * other's sandboxes, even when they share the STUDIO_INSTANCE name prefix.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { instanceIdFile } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';

const idPattern = /^[0-9a-f]{32}$/;

async function readId(file: string): Promise<string> {
  const id = (await fs.readFile(file, 'utf8')).trim();
  if (!idPattern.test(id)) {
    throw new StudioError(ErrorCode.Sandbox, `${file} does not hold an instance id (32 hex digits); remove it only if no sandbox of this server is left on Docker, then start again.`);
  }
  return id;
}

/** The id kept in `<dataDir>/instance-id`, created (mode 0600) the first time. */
export async function loadInstanceId(dataDir: string): Promise<string> {
  const file = path.join(dataDir, instanceIdFile);
  try {
    return await readId(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(dataDir, { recursive: true });
  // Written aside and linked into place, so a server starting at the same moment never reads half an id.
  const partial = `${file}.${randomBytes(4).toString('hex')}.partial`;
  await fs.writeFile(partial, `${randomBytes(16).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(partial, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await fs.rm(partial, { force: true });
  }
  return readId(file);
}
