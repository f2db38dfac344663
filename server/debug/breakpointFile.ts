/**
 * A workspace's breakpoints on disk, in `<workspace>/.studio/breakpoints.json`,
 * so they are the server's (one copy for every tab and browser) and survive a
 * server restart. `.studio/` is the studio's own folder: clients cannot write
 * it, and builds, exports and zips leave it out.
 *
 * The file is read without following links, under a size cap, and checked
 * against its schema; anything else reads as "no breakpoints yet".
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ExceptionFilter, RelPath, SourceBreakpoint } from '../../protocol/messages.ts';
import { breakpointFileMaxBytes } from '../config.ts';
import { writeFileAtomic } from '../workspace/atomicWrite.ts';
import { studioDirName } from '../workspace/workspaceFolder.ts';
import type { BreakpointStore } from './breakpointStore.ts';

const fileName = 'breakpoints.json';

const BreakpointFile = z.object({
  version: z.literal(1),
  sources: z.array(z.object({ path: RelPath, breakpoints: z.array(SourceBreakpoint).max(500) })).max(5000),
  exceptionFilters: z.array(ExceptionFilter).max(2),
});
type BreakpointFile = z.infer<typeof BreakpointFile>;

/** What a workspace without a breakpoints file starts with: stop on uncaught exceptions only. */
export const defaultExceptionFilters: readonly ExceptionFilter[] = ['uncaught'];

/** Fills `store` from the workspace's file; returns false when there was none (or it was unreadable). */
export async function loadBreakpoints(workspaceDir: string, store: BreakpointStore): Promise<boolean> {
  const file = await readFileNoFollow(path.join(workspaceDir, studioDirName, fileName));
  let parsed: BreakpointFile | undefined;
  try {
    parsed = file === undefined ? undefined : BreakpointFile.parse(JSON.parse(file));
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    store.exceptionFilters = defaultExceptionFilters;
    return false;
  }
  for (const source of parsed.sources) store.set(source.path, source.breakpoints);
  store.exceptionFilters = parsed.exceptionFilters;
  return true;
}

/** Writes the store to the workspace's file, atomically. */
export async function saveBreakpoints(workspaceDir: string, store: BreakpointStore): Promise<void> {
  const dir = path.join(workspaceDir, studioDirName);
  // Not recursive: a workspace deleted meanwhile must not come back as an empty folder.
  await fs.mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  // The folder must be the studio's own, not a link planted to send the write elsewhere.
  const info = await fs.lstat(dir);
  if (!info.isDirectory()) throw new Error(`${studioDirName} is not a folder`);
  const content: BreakpointFile = { version: 1, sources: store.all(), exceptionFilters: [...store.exceptionFilters] };
  await writeFileAtomic(path.join(dir, fileName), new TextEncoder().encode(`${JSON.stringify(content, null, 2)}\n`));
}

async function readFileNoFollow(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    if (!(await fs.lstat(path.dirname(file))).isDirectory()) return undefined;
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > breakpointFileMaxBytes) return undefined;
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
