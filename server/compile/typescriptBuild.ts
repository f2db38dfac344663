/**
 * Compiles a TypeScript workspace with the compiler API. The workspace has no
 * node_modules: fabric-contract-api, fabric-shim, fabric-shim-api and
 * @types/node come from the studio's own node_modules, and every file the
 * compiler reads must be inside the workspace or those libraries. The
 * workspace's own npm dependencies, when installed (server/npm), are seen as
 * if they were its `node_modules`: every lookup under `<workspace>/node_modules`
 * reads the installed folder instead, so imports, `@types/*` and a tsconfig
 * `extends` of a package resolve the way they would for `tsc` on a laptop.
 *
 * It runs inside a compile worker (see compilerPool.ts), never on the
 * server's main thread. Library source files (lib.*.d.ts, @types/node,
 * Fabric's types) are parsed once per worker and shared. The last build of
 * each workspace the worker compiled is kept: its Program, as TypeScript's
 * builder (what `tsc --watch` runs on), and the JavaScript it emitted. A
 * recompile after a small edit then parses, type-checks and emits only the
 * files the edit can affect, as `tsc --watch` does, and writes the rest of the
 * output from what was kept.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Diagnostic } from '../../protocol/messages.ts';
import { maxCachedCompilerPrograms, projectRoot } from '../config.ts';
import { displayPath, studioDiagnostic, toDiagnostic } from './diagnostics.ts';

/** Where compiled JavaScript goes, relative to the build's output folder. */
export const tsOutSubdir = 'dist';

/** What one compile produced. */
export interface TypeScriptBuild {
  diagnostics: Diagnostic[];
  /** Emitted files, relative to the output folder, '/'-separated (e.g. `dist/index.js`). */
  emitted: string[];
  /** True when the workspace's previous Program was passed to the compiler. */
  reusedProgram: boolean;
}

const nodeModulesDir = path.join(projectRoot, 'node_modules');
/** Packages a workspace may import although it has no node_modules: the sandbox preinstalls them. */
const providedPackages = new Set(['fabric-contract-api', 'fabric-shim', 'fabric-shim-api']);
/** Top-level folders that never hold sources: dependencies, build output, the studio's own state. */
const notSourceDirs = new Set(['node_modules', 'dist', '.studio', '.git']);

interface CachedSource {
  text: string;
  settingsKey: string;
  file: ts.SourceFile;
}

/** One emitted file, kept between builds: the builder emits again only what an edit affects. */
interface KeptOutput {
  text: string;
  /** The source files it was emitted from; it goes when none is in the program any more. */
  sources: string[];
}

interface WorkspaceCache {
  builder: ts.EmitAndSemanticDiagnosticsBuilderProgram;
  /** The installed dependencies the Program was built against: another set means another Program. */
  dependenciesDir: string | undefined;
  /** The compiler options it was built with: other options start from scratch (outputs may move). */
  optionsKey: string;
  sources: Map<string, CachedSource>;
  /** Every file emitted so far, by its path under the output folder ('/'-separated). */
  outputs: Map<string, KeptOutput>;
}

const workspaceCaches = new Map<string, WorkspaceCache>();
// Library files never change while the server runs; every workspace shares one parsed copy.
const libraryFiles = new Map<string, ts.SourceFile>();
const documentRegistry = ts.createDocumentRegistry();

/** Drops the kept Program of a workspace (e.g. when the workspace is deleted). */
export function forgetTypeScriptWorkspace(workspaceDir: string): void {
  workspaceCaches.delete(workspaceDir);
}

function isUnder(file: string, dir: string): boolean {
  return file === dir || file.startsWith(dir + path.sep);
}

function isBareSpecifier(name: string): boolean {
  return !name.startsWith('.') && !path.isAbsolute(name);
}

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * Compiles `workspaceDir` (a real path) and, if there are no errors, writes
 * the JavaScript and source maps under `<outDir>/dist`. Source maps carry the
 * sources inline and name them relative to the map as if the output folder
 * were the workspace (`../src/x.ts`), so they read the same on the host and in
 * the sandbox.
 */
export function buildTypeScript(workspaceDir: string, outDir: string, reuseProgram: boolean, dependenciesDir?: string): TypeScriptBuild {
  const onDisk = dependencyMapping(workspaceDir, dependenciesDir);
  const readable = (file: string): boolean => {
    const resolved = onDisk(path.resolve(workspaceDir, file));
    if (isUnder(resolved, nodeModulesDir)) return true;
    const inDependencies = dependenciesDir !== undefined && isUnder(resolved, dependenciesDir);
    if (!inDependencies && !isUnder(resolved, workspaceDir)) return false;
    try {
      // A symlink in the workspace (or the installed packages) must not lead the compiler out of them.
      const real = fs.realpathSync(resolved);
      return isUnder(real, workspaceDir) || isUnder(real, nodeModulesDir) || (dependenciesDir !== undefined && isUnder(real, dependenciesDir));
    } catch {
      return true;
    }
  };
  const inWorkspaceOnly = (file: string): boolean => isUnder(path.resolve(workspaceDir, file), workspaceDir) && readable(file);
  const sys = mappedSystem(onDisk);

  const config = readConfig(workspaceDir, readable, sys);
  const options = config.options;
  const virtualOutDir = path.join(workspaceDir, tsOutSubdir);
  const settingsKey = documentRegistry.getKeyForCompilationSettings(options);

  const optionsKey = JSON.stringify(options);
  const cached = workspaceCaches.get(workspaceDir);
  const reusable = reuseProgram && cached !== undefined && cached.dependenciesDir === dependenciesDir && cached.optionsKey === optionsKey ? cached : undefined;
  const sources = cached?.sources ?? new Map<string, CachedSource>();
  const outputs = reusable?.outputs ?? new Map<string, KeptOutput>();
  const base = { ...ts.createCompilerHost(options, true), ...sys };

  const sourceFileKey = (languageVersionOrOptions: ts.ScriptTarget | ts.CreateSourceFileOptions): string =>
    typeof languageVersionOrOptions === 'object'
      ? `${languageVersionOrOptions.languageVersion}|${String(languageVersionOrOptions.impliedNodeFormat)}`
      : String(languageVersionOrOptions);

  const host: ts.CompilerHost = {
    ...base,
    getCurrentDirectory: () => workspaceDir,
    fileExists: (file) => readable(file) && base.fileExists(file),
    readFile: (file) => (readable(file) ? base.readFile(file) : undefined),
    directoryExists: (dir) => readable(dir) && base.directoryExists(dir),
    getDirectories: (dir) => (readable(dir) ? base.getDirectories(dir) : []),
    getSourceFile(fileName, languageVersionOrOptions, onError) {
      if (!readable(fileName)) {
        onError?.(`${displayPath(fileName, workspaceDir)} is outside the workspace`);
        return undefined;
      }
      const key = `${settingsKey}|${sourceFileKey(languageVersionOrOptions)}|${fileName}`;
      if (isUnder(fileName, nodeModulesDir)) {
        let file = libraryFiles.get(key);
        if (file === undefined) {
          file = base.getSourceFile(fileName, languageVersionOrOptions, onError);
          if (file !== undefined) libraryFiles.set(key, withVersion(file));
        }
        return file;
      }
      const text = base.readFile(fileName);
      if (text === undefined) return undefined;
      // Installed packages' files are cached with the workspace's: their folder's name changes with their content.
      const previous = sources.get(fileName);
      if (previous !== undefined && previous.text === text && previous.settingsKey === key) return previous.file;
      const file = withVersion(ts.createSourceFile(fileName, text, languageVersionOrOptions));
      sources.set(fileName, { text, settingsKey: key, file });
      return file;
    },
    writeFile(fileName, text, _writeByteOrderMark, _onError, sourceFiles) {
      const relative = path.relative(virtualOutDir, fileName);
      if (relative.startsWith('..') || path.isAbsolute(relative)) return;
      outputs.set([tsOutSubdir, ...relative.split(path.sep)].join('/'), { text, sources: (sourceFiles ?? []).map((f) => f.fileName) });
    },
    resolveModuleNameLiterals(literals, containingFile, _redirected, compilerOptions) {
      const fromWorkspace = isUnder(containingFile, workspaceDir);
      return literals.map((literal) => {
        const name = literal.text;
        if (fromWorkspace && isBareSpecifier(name)) {
          if (providedPackages.has(packageNameOf(name))) {
            return ts.resolveModuleName(name, path.join(projectRoot, 'index.ts'), compilerOptions, host);
          }
          // Anything else must come from the workspace itself: the sandbox has nothing more.
          return ts.resolveModuleName(name, containingFile, compilerOptions, {
            fileExists: (file) => inWorkspaceOnly(file) && base.fileExists(file),
            readFile: (file) => (inWorkspaceOnly(file) ? base.readFile(file) : undefined),
            directoryExists: (dir) => inWorkspaceOnly(dir) && base.directoryExists(dir),
            realpath: base.realpath,
          });
        }
        return ts.resolveModuleName(name, containingFile, compilerOptions, host);
      });
    },
  };

  const reusedProgram = reusable !== undefined;
  const builder = ts.createEmitAndSemanticDiagnosticsBuilderProgram(config.rootNames, options, host, reusable?.builder, config.diagnostics);
  rememberProgram(workspaceDir, { builder, dependenciesDir, optionsKey, sources, outputs });

  const fallbackFile = config.hasConfigFile ? 'tsconfig.json' : 'package.json';
  const diagnostics = preEmitDiagnostics(builder, options).map((d) => toDiagnostic(d, workspaceDir, fallbackFile));
  if (config.rootNames.length === 0) {
    diagnostics.push(studioDiagnostic(fallbackFile, 'There are no TypeScript files to compile: add src/index.ts exporting `contracts`.'));
  }
  // Nothing is emitted: the files this edit affects stay due, and the next build emits them.
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, emitted: [], reusedProgram };

  const result = builder.emit();
  diagnostics.push(...result.diagnostics.map((d) => toDiagnostic(d, workspaceDir, fallbackFile)));
  // What was emitted from files no longer in the program goes with them.
  const inProgram = new Set(builder.getSourceFiles().map((f) => f.fileName));
  for (const [file, output] of outputs) {
    if (!output.sources.some((source) => inProgram.has(source))) outputs.delete(file);
  }
  for (const [file, output] of outputs) {
    const target = path.join(outDir, ...file.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, output.text);
  }
  return { diagnostics, emitted: [...outputs.keys()].sort(), reusedProgram };
}

/** What `ts.getPreEmitDiagnostics` reports, from the builder: files the edit did not affect keep their last diagnostics. */
function preEmitDiagnostics(builder: ts.BuilderProgram, options: ts.CompilerOptions): ts.Diagnostic[] {
  return [
    ...ts.sortAndDeduplicateDiagnostics([
      ...builder.getConfigFileParsingDiagnostics(),
      ...builder.getOptionsDiagnostics(),
      ...builder.getSyntacticDiagnostics(),
      ...builder.getGlobalDiagnostics(),
      ...builder.getSemanticDiagnostics(),
      ...(options.declaration === true ? builder.getDeclarationDiagnostics() : []),
    ]),
  ];
}

/** The builder tells a changed file from an unchanged one by its version: a hash of its text. */
function withVersion(file: ts.SourceFile): ts.SourceFile {
  (file as ts.SourceFile & { version?: string }).version = createHash('sha1').update(file.text).digest('hex');
  return file;
}

function rememberProgram(workspaceDir: string, entry: WorkspaceCache): void {
  // Re-inserting keeps the Map in least-recently-used order.
  workspaceCaches.delete(workspaceDir);
  workspaceCaches.set(workspaceDir, entry);
  for (const key of workspaceCaches.keys()) {
    if (workspaceCaches.size <= maxCachedCompilerPrograms) break;
    workspaceCaches.delete(key);
  }
}

interface ParsedConfig {
  options: ts.CompilerOptions;
  rootNames: string[];
  diagnostics: ts.Diagnostic[];
  hasConfigFile: boolean;
}

/** Reads the workspace's tsconfig.json (if any) and forces what the sandbox and the debugger need. */
function readConfig(workspaceDir: string, readable: (file: string) => boolean, sys: MappedSystem): ParsedConfig {
  const configPath = path.join(workspaceDir, 'tsconfig.json');
  // Also the module resolution host of an `extends` that names a package.
  const parseHost: ts.ParseConfigHost & ts.ModuleResolutionHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    fileExists: (file) => readable(file) && sys.fileExists(file),
    readFile: (file) => (readable(file) ? sys.readFile(file) : undefined),
    directoryExists: (dir) => readable(dir) && sys.directoryExists(dir),
    getDirectories: (dir) => (readable(dir) ? sys.getDirectories(dir) : []),
    realpath: sys.realpath,
    readDirectory: (root, extensions, excludes, includes, depth) =>
      ts.sys.readDirectory(root, extensions, excludes, includes, depth).filter((file) => isUnder(file, workspaceDir) && readable(file)),
  };
  const hasConfigFile = parseHost.fileExists(configPath);
  const diagnostics: ts.Diagnostic[] = [];
  let json: unknown = {};
  if (hasConfigFile) {
    const read = ts.readConfigFile(configPath, parseHost.readFile);
    if (read.error !== undefined) diagnostics.push(read.error);
    else json = read.config;
  }
  const parsed = ts.parseJsonConfigFileContent(json, parseHost, workspaceDir, undefined, hasConfigFile ? configPath : undefined);
  // "No inputs were found" is reported below in the user's terms.
  diagnostics.push(...parsed.errors.filter((d) => d.code !== 18003));

  const srcDir = path.join(workspaceDir, 'src');
  const hasSrc = fs.existsSync(srcDir) && fs.statSync(srcDir).isDirectory();
  const rootNames = parsed.fileNames.filter((file) => {
    const relative = path.relative(workspaceDir, file).split(path.sep);
    if (relative.some((segment) => segment === 'node_modules') || notSourceDirs.has(relative[0] ?? '')) return false;
    return hasConfigFile || !hasSrc || relative[0] === 'src';
  });

  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    ...parsed.options,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    outDir: path.join(workspaceDir, tsOutSubdir),
    rootDir: hasSrc ? srcDir : workspaceDir,
    sourceMap: true,
    inlineSources: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    noEmitOnError: true,
    skipLibCheck: true,
    typeRoots: [path.join(nodeModulesDir, '@types')],
    types: ['node'],
  };
  // Options that would change where output goes, stop it, or clash with CommonJS output.
  for (const name of [
    'sourceRoot',
    'mapRoot',
    'inlineSourceMap',
    'outFile',
    'out',
    'noEmit',
    'emitDeclarationOnly',
    'composite',
    'incremental',
    'tsBuildInfoFile',
    'declarationDir',
    'verbatimModuleSyntax',
    'resolvePackageJsonExports',
    'resolvePackageJsonImports',
    'customConditions',
    'plugins',
    'allowImportingTsExtensions',
    'rewriteRelativeImportExtensions',
  ]) {
    delete options[name];
  }
  return { options, rootNames, diagnostics, hasConfigFile };
}

/** The file-system calls the compiler makes, with a workspace's `node_modules` mapped to its installed dependencies. */
interface MappedSystem {
  fileExists(file: string): boolean;
  readFile(file: string): string | undefined;
  directoryExists(dir: string): boolean;
  getDirectories(dir: string): string[];
  realpath(file: string): string;
}

/**
 * Where a path the compiler asks for is on disk: `<workspace>/node_modules/x`
 * is `<dependenciesDir>/x`; every other path is itself.
 */
function dependencyMapping(workspaceDir: string, dependenciesDir: string | undefined): (file: string) => string {
  const virtual = path.join(workspaceDir, 'node_modules');
  if (dependenciesDir === undefined) return (file) => file;
  return (file) => (isUnder(file, virtual) ? path.join(dependenciesDir, path.relative(virtual, file)) : file);
}

function mappedSystem(onDisk: (file: string) => string): MappedSystem {
  return {
    fileExists: (file) => ts.sys.fileExists(onDisk(file)),
    readFile: (file) => ts.sys.readFile(onDisk(file)),
    directoryExists: (dir) => ts.sys.directoryExists(onDisk(dir)),
    getDirectories: (dir) => ts.sys.getDirectories(onDisk(dir)),
    // An installed package keeps its workspace path: its realpath would name the shared folder, outside the workspace.
    realpath: (file) => (onDisk(file) === file ? (ts.sys.realpath?.(file) ?? file) : file),
  };
}
