/**
 * Path confinement for workspaces. Every file operation goes through
 * {@link resolveInside}, so there is exactly one place that decides whether a
 * path the browser sent may be touched.
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, StudioError } from '../errors.ts';

/** A path that has passed every check, and what is on disk there now. */
export interface InsidePath {
  /** Absolute path on disk. */
  readonly abs: string;
  /** The workspace-relative path, '/'-separated and NFC-normalised, as it should be shown. */
  readonly rel: string;
  /** What is at `abs` now (never a symlink), or undefined if nothing is. */
  readonly stat: Stats | undefined;
}

const maxNameBytes = 255;
const maxPathChars = 1024;
const driveLetter = /^[a-zA-Z]:/;

function refuse(rel: string, why: string): StudioError {
  return new StudioError(ErrorCode.BadPath, `The path "${printable(rel)}" ${why}`);
}

/** C0 controls (NUL among them) and DEL. */
function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

/** The path with control characters escaped, so an error message cannot carry them to a terminal. */
function printable(rel: string): string {
  return Array.from(rel, (c) => (isControl(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
}

/** Checks the shape of a relative path without touching the disk (a `bad_path` StudioError if it is refused); returns its segments. */
export function segmentsOf(relPath: string): string[] {
  const rel = relPath.normalize('NFC');
  if (rel.length === 0) throw refuse(rel, 'is empty: name a file or folder inside the workspace.');
  if (rel.length > maxPathChars) throw refuse(rel.slice(0, 80) + '…', `is longer than ${maxPathChars} characters: use a shorter path.`);
  if (Array.from(rel).some(isControl)) throw refuse(rel, 'contains a control character: remove it from the name.');
  if (rel.includes('\\')) throw refuse(rel, 'contains a backslash: separate folders with "/".');
  if (rel.startsWith('/')) throw refuse(rel, 'is absolute: use a path relative to the workspace root, e.g. "src/index.ts".');
  if (driveLetter.test(rel)) throw refuse(rel, 'starts with a drive letter: use a path relative to the workspace root.');
  const segments = rel.split('/');
  for (const segment of segments) {
    if (segment === '') throw refuse(rel, 'has an empty segment ("//" or a trailing "/"): remove it.');
    if (segment === '.' || segment === '..') {
      throw refuse(rel, `contains "${segment}": use a path inside the workspace without "." or ".." segments.`);
    }
    if (Buffer.byteLength(segment, 'utf8') > maxNameBytes) {
      throw refuse(rel, `has a name longer than ${maxNameBytes} bytes: shorten it.`);
    }
  }
  return segments;
}

/** The folder npm installs packages into; the studio fills it from package.json and never shows it. */
export const installedFolderName = 'node_modules';

/**
 * Refuses a path to create, write or move something to inside `node_modules/`
 * (at any depth): the studio installs that folder from package.json and
 * neither lists nor packages what is in it, so a file put there by hand would
 * silently be ignored by every Run and export.
 */
export function refuseInstalledFolder(rel: string): void {
  if (!rel.split('/').includes(installedFolderName)) return;
  throw refuse(
    rel,
    `is inside ${installedFolderName}/, which is installed from package.json and never shown, run or exported as you wrote it: add the package to package.json's dependencies instead.`,
  );
}

async function lstatOrUndefined(abs: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(abs);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** True for the errors that mean "nothing is there". */
export function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Resolves `relPath` inside the workspace folder `root`, or throws a
 * `bad_path` StudioError. Refuses absolute paths, `..` and `.` segments,
 * backslashes, control characters, empty segments, drive letters and names
 * over 255 bytes; then walks the path on disk and refuses it if any existing
 * part is a symlink, if a file stands where a folder is needed, or if its real
 * path leaves the workspace. The target itself may be missing (`stat` is then
 * undefined), so callers can create it.
 */
export async function resolveInside(root: string, relPath: string): Promise<InsidePath> {
  const segments = segmentsOf(relPath);
  const rel = segments.join('/');
  const realRoot = await fs.realpath(root);
  let current = realRoot;
  let stat: Stats | undefined;
  for (const [index, segment] of segments.entries()) {
    current = path.join(current, segment);
    stat = await lstatOrUndefined(current);
    if (stat === undefined) {
      current = path.join(current, ...segments.slice(index + 1));
      break;
    }
    if (stat.isSymbolicLink()) {
      throw refuse(rel, 'is or passes through a symbolic link, which the studio does not follow: replace the link with a real file or folder.');
    }
    const isLast = index === segments.length - 1;
    if (!isLast && !stat.isDirectory()) {
      throw refuse(rel, `goes through "${segments.slice(0, index + 1).join('/')}", which is a file, not a folder.`);
    }
    if (!isLast) stat = undefined;
  }
  // Belt and braces: the deepest existing ancestor must really be inside the root.
  const existing = stat === undefined ? await deepestExisting(path.dirname(current), realRoot) : current;
  const real = await fs.realpath(existing);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw refuse(rel, 'leaves the workspace: use a path inside it.');
  }
  return { abs: current, rel, stat };
}

async function deepestExisting(dir: string, realRoot: string): Promise<string> {
  let candidate = dir;
  while (candidate.length > realRoot.length && (await lstatOrUndefined(candidate)) === undefined) {
    candidate = path.dirname(candidate);
  }
  return candidate;
}
