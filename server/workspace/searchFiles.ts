/**
 * Search across a workspace's files: every line of its text files that holds
 * the query, read through the store (so path confinement, size limits and
 * the binary check are the store's own). Bounded in matches, in matches per
 * file and in the preview's length, so one request stays small.
 */
import type { FileSearchResult, SearchMatch } from '../../protocol/messages.ts';
import { searchMatchesMax, searchMatchesPerFileMax, searchPreviewChars } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { WorkspaceStore } from './workspaceStore.ts';

export interface SearchOptions {
  readonly query: string;
  readonly caseSensitive?: boolean | undefined;
}

/** The matching lines, file by file in path order. */
export async function searchWorkspace(store: WorkspaceStore, workspace: string, options: SearchOptions): Promise<FileSearchResult> {
  const files = (await store.listFiles(workspace)).filter((f) => f.kind === 'file').sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const needle = options.caseSensitive ? options.query : options.query.toLowerCase();
  const matches: SearchMatch[] = [];
  let truncated = false;
  let skipped = 0;
  for (const file of files) {
    let content: string;
    try {
      ({ content } = await store.read(workspace, file.path));
    } catch (err) {
      // A binary or oversized file is not searched; anything else is a real failure.
      if (err instanceof StudioError && err.code === ErrorCode.BadFile) {
        skipped++;
        continue;
      }
      throw err;
    }
    const { found, more } = matchesIn(file.path, content, needle, options.caseSensitive === true);
    if (more) truncated = true;
    if (matches.length + found.length > searchMatchesMax) {
      matches.push(...found.slice(0, searchMatchesMax - matches.length));
      truncated = true;
      break;
    }
    matches.push(...found);
  }
  return { matches, truncated, skipped };
}

/**
 * The lines of `content` that hold `needle` (already lowercased unless `caseSensitive`), at most
 * `searchMatchesPerFileMax`; `more` says whether further lines held it too.
 */
export function matchesIn(path: string, content: string, needle: string, caseSensitive: boolean): { found: SearchMatch[]; more: boolean } {
  const found: SearchMatch[] = [];
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    const index = (caseSensitive ? line : line.toLowerCase()).indexOf(needle);
    if (index < 0) continue;
    if (found.length === searchMatchesPerFileMax) return { found, more: true };
    found.push({ path, line: i + 1, column: index + 1, preview: previewAround(line, index, needle.length) });
  }
  return { found, more: false };
}

/** The line, or a window of it around the match when it is long, with … where it was cut. */
function previewAround(line: string, index: number, length: number): string {
  if (line.length <= searchPreviewChars) return line.trim();
  const start = Math.max(0, index - Math.floor((searchPreviewChars - length) / 3));
  const end = Math.min(line.length, start + searchPreviewChars);
  return `${start > 0 ? '…' : ''}${line.slice(start, end).trim()}${end < line.length ? '…' : ''}`;
}
