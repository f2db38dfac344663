/** Searching a workspace's files for text (`file/search`): the request's limits and the matches it answers with. */
import { z } from 'zod';

/** The longest search text. */
export const searchQueryMaxChars = 200;

export const FileSearchParams = z.object({
  query: z.string().min(1).max(searchQueryMaxChars),
  caseSensitive: z.boolean().optional(),
});

/** One line that holds the text. */
export interface SearchMatch {
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based, where the text starts. */
  column: number;
  /** The line, cut around the match when long. */
  preview: string;
}

export interface FileSearchResult {
  matches: SearchMatch[];
  /** More lines matched than were returned. */
  truncated: boolean;
  /** Files left out because they are binary or too large. */
  skipped: number;
}
