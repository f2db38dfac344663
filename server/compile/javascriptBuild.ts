/**
 * The JavaScript half of the build: the workspace's .js, .cjs, .mjs and .json
 * files are copied as they are, after a syntax check that gives a file, line
 * and column for each error (Node's own message has no column).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import type { Diagnostic } from '../../protocol/messages.ts';
import { studioDiagnostic, toDiagnostic } from './diagnostics.ts';

const copiedExtensions = new Set(['.js', '.cjs', '.mjs', '.json']);
const skippedDirs = new Set(['node_modules', '.git', '.studio']);
/** TS5092, "The root value of a 'tsconfig.json' file must be an object." */
const tsconfigRootNotObject = 5092;

/** What one JavaScript build produced. */
export interface JavaScriptBuild {
  diagnostics: Diagnostic[];
  /** Copied files, relative to the output folder, '/'-separated. */
  copied: string[];
}

/** Lists the files to copy, workspace-relative, never following symlinks. */
async function runtimeFiles(dir: string, relDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
    if (entry.isDirectory() && !skippedDirs.has(entry.name)) files.push(...(await runtimeFiles(path.join(dir, entry.name), rel)));
    else if (entry.isFile() && copiedExtensions.has(path.extname(entry.name))) files.push(rel);
  }
  return files;
}

/** Checks and copies a JavaScript workspace into `outDir` (which must exist). Copies nothing if there are errors. */
export async function buildJavaScript(workspaceDir: string, outDir: string): Promise<JavaScriptBuild> {
  const files = (await runtimeFiles(workspaceDir, '')).sort();
  const bytes = new Map<string, Buffer>();
  for (const rel of files) bytes.set(rel, await fs.readFile(path.join(workspaceDir, rel)));
  const textOf = (rel: string): string | undefined => bytes.get(rel)?.toString('utf8');

  const diagnostics: Diagnostic[] = [];
  const scripts = files.filter((rel) => path.extname(rel) !== '.json');
  // One parse-only program: no lib, no module resolution, so it takes milliseconds.
  const options: ts.CompilerOptions = { allowJs: true, noEmit: true, noLib: true, noResolve: true, types: [], target: ts.ScriptTarget.ESNext };
  const host = ts.createCompilerHost(options, true);
  const byAbsolute = new Map(scripts.map((rel) => [path.join(workspaceDir, rel), rel]));
  host.getSourceFile = (fileName, languageVersion) => {
    const rel = byAbsolute.get(fileName);
    const text = rel === undefined ? undefined : textOf(rel);
    return text === undefined ? undefined : ts.createSourceFile(fileName, text, languageVersion, false, ts.ScriptKind.JS);
  };
  const program = ts.createProgram({ rootNames: [...byAbsolute.keys()], options, host });
  for (const sourceFile of program.getSourceFiles()) {
    diagnostics.push(...program.getSyntacticDiagnostics(sourceFile).map((d) => toDiagnostic(d, workspaceDir, 'package.json')));
  }
  for (const rel of files.filter((f) => path.extname(f) === '.json')) {
    const parsed = ts.parseConfigFileTextToJson(path.join(workspaceDir, rel), textOf(rel) ?? '');
    // The parser is tsconfig's: a root that is not an object is fine in any other JSON file (Fabric's collections_config.json is an array).
    if (parsed.error !== undefined && parsed.error.code !== tsconfigRootNotObject) diagnostics.push(toDiagnostic(parsed.error, workspaceDir, rel));
  }
  if (scripts.length === 0) {
    diagnostics.push(studioDiagnostic('package.json', 'There are no JavaScript files to run: add index.js exporting `contracts`.'));
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, copied: [] };

  for (const rel of files) {
    const target = path.join(outDir, rel);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, bytes.get(rel) ?? '');
  }
  return { diagnostics, copied: files };
}
