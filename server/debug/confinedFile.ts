/**
 * Reads a file the chaincode's build may point at, without trusting the path:
 * the file must be a regular file whose real path is inside one root, no
 * larger than a cap. The checks are made on the opened descriptor, so a path
 * swapped for a link, a FIFO or a device between check and read is refused.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/** Why a confined read was refused. */
export type ConfinedReadRefusal = 'outside' | 'missing' | 'not-a-file' | 'too-large';

export type ConfinedReadResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly refusal: ConfinedReadRefusal };

export interface ConfinedReadOptions {
  /** The directory the file's real path must be inside. */
  readonly root: string;
  readonly maxBytes: number;
}

// O_NONBLOCK: opening a FIFO without a writer must not wait for one (the
// descriptor is refused as not a regular file right after).
const openFlags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Reads `file` as UTF-8 if it is a regular file inside `root` of at most `maxBytes`. */
export async function readConfinedFile(file: string, options: ConfinedReadOptions): Promise<ConfinedReadResult> {
  const root = await fs.realpath(options.root).catch(() => undefined);
  const lexical = path.resolve(file);
  // A shortcut before any open; what counts is the real path of the descriptor, checked below.
  if (root === undefined || !(isInside(root, lexical) || isInside(path.resolve(options.root), lexical))) return refuse('outside');
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, openFlags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ELOOP: the last component is a symbolic link.
    return refuse(code === 'ELOOP' ? 'outside' : 'missing');
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return refuse('not-a-file');
    const real = await fs.readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (real === undefined || !isInside(root, real)) return refuse('outside');
    if (info.size > options.maxBytes) return refuse('too-large');
    // One byte past the size, to notice a file that grows while it is read.
    const buffer = Buffer.alloc(Math.min(info.size, options.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      // It grew after fstat: refused rather than read without bound.
      if (length === buffer.length) return refuse('too-large');
    }
    return { ok: true, text: buffer.toString('utf8', 0, length) };
  } finally {
    await handle.close();
  }
}

function refuse(refusal: ConfinedReadRefusal): ConfinedReadResult {
  return { ok: false, refusal };
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
