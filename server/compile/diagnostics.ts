/**
 * TypeScript diagnostics in the protocol's shape: workspace-relative file,
 * 1-based line and column, one flattened message, codes like `TS2322`.
 */
import path from 'node:path';
import ts from 'typescript';
import type { Diagnostic } from '../../protocol/messages.ts';
import { projectRoot } from '../config.ts';

/** Converts one TypeScript diagnostic; `fallbackFile` names diagnostics that have no file (e.g. options). */
export function toDiagnostic(diagnostic: ts.Diagnostic, workspaceDir: string, fallbackFile: string): Diagnostic {
  // The user knows files by their workspace paths; the server's folders are none of their business.
  const message = ts
    .flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    .replaceAll(workspaceDir + path.sep, '')
    .replaceAll(path.join(projectRoot, 'node_modules') + path.sep, 'node_modules/');
  const severity = diagnostic.category === ts.DiagnosticCategory.Error ? 'error' : diagnostic.category === ts.DiagnosticCategory.Warning ? 'warning' : 'info';
  const code = `TS${diagnostic.code}`;
  const file = diagnostic.file;
  if (file === undefined || diagnostic.start === undefined) {
    return { file: fallbackFile, line: 1, column: 1, severity, message, code };
  }
  const start = file.getLineAndCharacterOfPosition(diagnostic.start);
  const end = file.getLineAndCharacterOfPosition(diagnostic.start + (diagnostic.length ?? 0));
  return {
    file: displayPath(file.fileName, workspaceDir),
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    severity,
    message,
    code,
  };
}

/** A file's path as the user should see it: workspace-relative, or from `node_modules/` for library files. */
export function displayPath(fileName: string, workspaceDir: string): string {
  const relative = path.relative(workspaceDir, fileName);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
  const inModules = fileName.lastIndexOf('/node_modules/');
  return inModules >= 0 ? fileName.slice(inModules + 1) : path.basename(fileName);
}

/** A diagnostic of our own (not from the compiler), at the start of `file` unless a position is given. */
export function studioDiagnostic(file: string, message: string, line = 1, column = 1): Diagnostic {
  return { file, line, column, severity: 'error', message };
}
