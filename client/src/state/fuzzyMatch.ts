/**
 * Quick open's matching: the typed characters must appear in the path in
 * order (not necessarily together), case-insensitively. Paths where they sit
 * in the file name, together and at word starts rank first.
 */

/** The score of `path` for `query` (higher is better), or null when it does not match. */
export function fuzzyScore(path: string, query: string): number | null {
  const needle = query.replace(/\s+/g, '').toLowerCase();
  if (needle === '') return -path.length / 100;
  const haystack = path.toLowerCase();
  const nameStart = path.lastIndexOf('/') + 1;
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const char of needle) {
    const at = haystack.indexOf(char, from);
    if (at < 0) return null;
    if (at === previous + 1) score += 5;
    if (at >= nameStart) score += 3;
    if (at === 0 || '/._-'.includes(haystack[at - 1] ?? '') || (path[at] !== haystack[at] && path[at - 1] === haystack[at - 1])) score += 4;
    previous = at;
    from = at + 1;
  }
  // Shorter paths win a tie.
  return score - path.length / 100;
}

/** The paths that match `query`, best first, at most `max`. */
export function rankPaths(paths: readonly string[], query: string, max: number): string[] {
  return paths
    .map((path) => ({ path, score: fuzzyScore(path, query) }))
    .filter((m): m is { path: string; score: number } => m.score !== null)
    .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path))
    .slice(0, max)
    .map((m) => m.path);
}
