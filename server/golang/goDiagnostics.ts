/**
 * The go command's compile and vet messages in the protocol's shape. The go
 * command prints `path/file.go:line:col: message` (column optional), paths
 * relative to the folder it ran in or absolute; a `# package` header line
 * names the package, and long messages continue on indented lines.
 */
import path from 'node:path';
import type { Diagnostic } from '../../protocol/messages.ts';

const located = /^(?:vet: )?((?:[A-Za-z]:)?[^\s:][^:]*\.(?:go|mod|sum|s)):(\d+)(?::(\d+))?:\s?(.*)$/;

/**
 * Parses the go command's output. `buildDir` is the folder it ran in (paths in
 * it become workspace-relative); paths elsewhere (the module cache, the Go
 * root) are kept as the user would see them, with host folders removed.
 */
export function parseGoOutput(output: string, buildDir: string, severity: Diagnostic['severity'], code: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const match = located.exec(line);
    if (match) {
      const [, file = '', lineNo = '1', column, message = ''] = match;
      diagnostics.push({ file: workspacePath(file, buildDir), line: Number(lineNo), column: column === undefined ? 1 : Number(column), severity, message: hideFolder(message, buildDir), code });
      continue;
    }
    // A continuation of the previous message (the compiler indents "have/want" lines with a tab).
    const last = diagnostics.at(-1);
    if (last && /^\t/.test(line) && line.trim() !== '') last.message += `\n${hideFolder(line.trim(), buildDir)}`;
  }
  return diagnostics;
}

/** Whatever the go command said when it named no file and line (a download failure, a go.mod syntax error without a position). */
export function goFailureSummary(output: string, buildDir: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('# ') && !l.startsWith('go: downloading'));
  return hideFolder(lines.slice(0, 6).join('\n'), buildDir) || 'the go command failed without a message';
}

function workspacePath(file: string, buildDir: string): string {
  const absolute = path.resolve(buildDir, file);
  const relative = path.relative(buildDir, absolute);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
  return hideFolder(file, buildDir);
}

/** The host's folders are none of the user's business: the build folder goes, the module cache reads as `pkg/mod/…`. */
function hideFolder(text: string, buildDir: string): string {
  return text.replaceAll(buildDir + path.sep, '').replaceAll(buildDir, '.').replace(/\/\S*\/pkg\/mod\//g, 'pkg/mod/').replace(/\/\S*\/go\/mod\//g, 'pkg/mod/');
}
