/**
 * What an imported project leaves behind, and why, in one place.
 *
 * - Anywhere in the tree: `node_modules/` (dependencies: npm install restores them), `.git/`, `.hg/`,
 *   `.svn/` (version control), `coverage/`, `.nyc_output/` (test output), `__MACOSX/`, `.DS_Store`,
 *   `Thumbs.db` (operating-system litter), `*.log`, and `.env*` files, which hold secrets that must not
 *   reach a shared studio.
 * - At the project root only: `dist/` and `build/`, always, whatever package.json says. They are where
 *   tsc and bundlers write, and the store hides a root `dist/` from listings, so importing it would
 *   fill the quota with files nobody sees; a `build/` deeper down is more likely source, and is kept.
 *   `.studio/` and the store's temporary-file names are reserved for the studio.
 * - A wrapper folder is stripped: when every entry (operating-system litter aside) lies inside one top
 *   folder, as in GitHub's `repo-main/` archives or a picked folder's own name, that folder goes.
 * - Paths: a backslash is read as '/' (zips from older Windows tools) and a leading `./` is dropped;
 *   then the store's own path rules apply ({@link segmentsOf}), so `..`, absolute paths, drive letters
 *   and control characters (NUL among them) are skipped as `unsafe-path`. Symlinks, hard links and
 *   devices in a tar are skipped; only regular files are imported (empty folders are not kept). A
 *   zip's entry list carries no file modes through fflate, so a link stored in a zip arrives as a
 *   small text file holding its target: never as a link, since every file is written as a new file.
 */
import { importSkippedFolders as skippedFolders, type ImportSkipped, type ImportSkipReason } from '../../protocol/messages.ts';
import { maxImportSkipGroups } from '../config.ts';
import { tempFilePrefix } from './atomicWrite.ts';
import { segmentsOf } from './resolveInside.ts';

/** The kinds of archive entry the policy tells apart. */
export type EntryKind = 'file' | 'dir' | 'link' | 'other';

/** One entry as an archive (or a picked folder) names it, before any rule ran. */
export interface ArchiveEntry {
  readonly name: string;
  readonly kind: EntryKind;
}

/** Keep the file at `keep` (workspace-relative), skip it (counted in `group`), or pass over a folder entry. */
export type Decision = { readonly keep: string } | { readonly skip: ImportSkipReason; readonly group: string } | { readonly folder: true };

/** The decisions for one archive, made once every name is known (the wrapper depends on all of them). */
export interface ImportPlan {
  decide(entry: ArchiveEntry): Decision;
}

/** The skipped entries of one import, grouped by folder so a reply stays short. */
export interface SkipReport {
  add(group: string, reason: ImportSkipReason, files: number): void;
  list(): ImportSkipped[];
}

const skippedRootFolders = new Map<string, ImportSkipReason>([
  ['dist', 'build-output'],
  ['build', 'build-output'],
  ['.studio', 'reserved'],
]);
const osFiles = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);
const maxShownPathChars = 200;

function fileReason(name: string): ImportSkipReason | undefined {
  if (osFiles.has(name)) return 'os-metadata';
  if (name.startsWith('.env')) return 'secret';
  if (name.endsWith('.log')) return 'log';
  if (name.startsWith(tempFilePrefix)) return 'reserved';
  return undefined;
}

/** The entry's segments after the store's path rules, [] for the archive root, undefined when unsafe. */
function segmentsOfEntry(name: string): string[] | undefined {
  let rel = name.replaceAll('\\', '/');
  while (rel.startsWith('./')) rel = rel.slice(2);
  if (rel.endsWith('/')) rel = rel.slice(0, -1);
  if (rel === '' || rel === '.') return [];
  try {
    return segmentsOf(rel);
  } catch {
    return undefined;
  }
}

/** A path fit to show: control characters escaped, long ones cut. */
function shown(name: string): string {
  const escaped = JSON.stringify(name).slice(1, -1);
  return escaped.length > maxShownPathChars ? `${escaped.slice(0, maxShownPathChars)}…` : escaped;
}

function isLitter(segments: readonly string[]): boolean {
  const first = segments[0] ?? '';
  return first === '__MACOSX' || (segments.length === 1 && osFiles.has(first));
}

/** The single top folder every entry lies in, if there is one and it is not itself skipped. */
function wrapperOf(entries: readonly ArchiveEntry[]): string | undefined {
  const tops = new Set<string>();
  for (const entry of entries) {
    const segments = segmentsOfEntry(entry.name);
    if (segments === undefined || segments.length === 0 || isLitter(segments)) continue;
    if (segments.length === 1 && entry.kind !== 'dir') return undefined;
    tops.add(segments[0] ?? '');
  }
  const [top] = tops;
  return tops.size === 1 && top !== undefined && !skippedFolders.has(top) ? top : undefined;
}

/** Plans the import of an archive whose entries are `entries` (names and kinds only). */
export function planImport(entries: readonly ArchiveEntry[]): ImportPlan {
  const wrapper = wrapperOf(entries);
  return {
    decide(entry) {
      const segments = segmentsOfEntry(entry.name);
      if (segments === undefined) return { skip: 'unsafe-path', group: shown(entry.name) };
      const rel = wrapper !== undefined && segments[0] === wrapper ? segments.slice(1) : segments;
      const path = rel.join('/');
      if (entry.kind === 'link') return { skip: 'link', group: path };
      if (entry.kind === 'other') return { skip: 'special', group: path };
      for (const [index, segment] of rel.entries()) {
        if (index === rel.length - 1 && entry.kind === 'file') break;
        const reason = skippedFolders.get(segment) ?? (index === 0 ? skippedRootFolders.get(segment) : undefined);
        if (reason !== undefined) return { skip: reason, group: `${rel.slice(0, index + 1).join('/')}/` };
      }
      if (entry.kind === 'dir' || rel.length === 0) return { folder: true };
      const reason = fileReason(rel[rel.length - 1] ?? '') ?? (rel[0] === '.studio' ? 'reserved' : undefined);
      return reason === undefined ? { keep: path } : { skip: reason, group: path };
    },
  };
}

/** A report that lists up to maxImportSkipGroups groups, then counts the rest per reason under '…'. */
export function createSkipReport(): SkipReport {
  const groups = new Map<string, ImportSkipped>();
  const overflow = new Map<ImportSkipReason, ImportSkipped>();
  return {
    add(group, reason, files) {
      const known = groups.get(group);
      if (known !== undefined) {
        known.files += files;
      } else if (groups.size < maxImportSkipGroups) {
        groups.set(group, { path: group, reason, files });
      } else {
        const rest = overflow.get(reason) ?? { path: '…', reason, files: 0 };
        rest.files += Math.max(files, 1);
        overflow.set(reason, rest);
      }
    },
    list() {
      return [...groups.values(), ...overflow.values()];
    },
  };
}
