// @ts-check
// A V8 code cache of the chaincode runtime (fabric-shim, fabric-contract-api and what they
// load), so that a standby process (standbyProcess.mjs) loads them without parsing and
// compiling them again: about a quarter less CPU for each standby, which every restart spawns.
// Node 20 has no compile cache of its own (module.enableCompileCache is Node 22).
//
// The cache is made when the image is built (codeCacheBuild.mjs), by the very node binary the
// image carries, from the very files it carries, and is read-only to the chaincode's uid. V8
// checks the cache against its version, its flags and the length of the source, and rejects it
// otherwise; a rejected or missing entry is compiled as Node would.
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { prepareDebugger, preloadRuntime } from './standbyPreload.mjs';

/** @typedef {{ accepted: number, rejected: number }} CodeCacheUse */

/** The command that makes the cache: `node codeCacheBuild.mjs <runtime node_modules> <cache file> <runtime's path in the image>`. */
export const codeCacheBuildFile = path.join(import.meta.dirname, 'codeCacheBuild.mjs');

/**
 * Compiles the CommonJS files under `runtime` with `compile(wrapped source, file, key)` until the
 * returned function is called, and Node's own way after. Only the runtime's files: the
 * chaincode's own code always compiles as Node compiles it. (A runtime file's first line shows
 * its columns shifted by Node's wrapper in stack traces, as whenever anything wraps modules.)
 * @param {string} runtime
 * @param {(source: string, file: string, key: string) => vm.Script | undefined} compile undefined: compile as Node would
 * @returns {() => void} puts Node's own compile back
 */
function compileRuntimeWith(runtime, compile) {
  // Node names a module by its real path.
  runtime = fs.realpathSync(path.resolve(runtime));
  /** @typedef {{ exports: unknown, _compile(content: string, filename: string): unknown }} LoadingModule */
  const prototype = /** @type {LoadingModule} */ (/** @type {unknown} */ (Module.prototype));
  const nodeCompile = prototype._compile;
  const root = runtime + path.sep;
  /** @this {LoadingModule} @param {string} content @param {string} filename */
  prototype._compile = function (content, filename) {
    const script = filename.startsWith(root) ? compile(Module.wrap(content), filename, path.relative(runtime, filename).split(path.sep).join('/')) : undefined;
    if (script === undefined) return nodeCompile.call(this, content, filename);
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };
  return () => {
    prototype._compile = nodeCompile;
  };
}

/**
 * The `require` a module's code gets, as Node makes it (lib/internal/modules/helpers.js).
 * @param {any} module
 */
function requireFor(module) {
  const ModuleStatics = /** @type {any} */ (Module);
  /** @param {string} id */
  const require = (id) => module.require(id);
  /** @param {string} request @param {{ paths?: string[] }} [options] */
  const resolve = (request, options) => ModuleStatics._resolveFilename(request, module, false, options);
  /** @param {string} request */
  resolve.paths = (request) => ModuleStatics._resolveLookupPaths(request, module);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = ModuleStatics._extensions;
  require.cache = ModuleStatics._cache;
  return require;
}

/** @param {string} source @param {string} file @param {Buffer} [cachedData] */
function script(source, file, cachedData) {
  // Node compiles a module with dynamic import() allowed; so must we (the option is Node ≥ 20.12).
  const importModuleDynamically = /** @type {any} */ (vm.constants)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  return new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}), ...(importModuleDynamically ? { importModuleDynamically } : {}) });
}

/**
 * Loads the runtime's files through the cache at `cacheFile` until the returned `done` is
 * called; without a readable cache, Node compiles them as usual.
 * @param {string} runtime
 * @param {string} cacheFile
 * @returns {{ done: () => void, use: CodeCacheUse }}
 */
export function useCodeCache(runtime, cacheFile) {
  /** @type {CodeCacheUse} */
  const use = { accepted: 0, rejected: 0 };
  /** @type {Map<string, Buffer>} */
  let entries;
  try {
    entries = v8.deserialize(fs.readFileSync(cacheFile));
    if (!(entries instanceof Map)) throw new Error('not a code cache');
  } catch {
    return { done: () => undefined, use };
  }
  const done = compileRuntimeWith(runtime, (source, file, key) => {
    const cachedData = entries.get(key);
    if (cachedData === undefined) return undefined;
    const compiled = script(source, file, cachedData);
    if (compiled.cachedDataRejected) use.rejected += 1;
    else use.accepted += 1;
    return compiled;
  });
  return { done, use };
}

/**
 * Loads the runtime as a standby does (standbyPreload.mjs), prepares the debugger, and writes the code of every
 * runtime file as it stands then (with the functions that ran compiled) to `cacheFile`.
 * Run it with the flags the standby runs with: V8 rejects a cache made under other flags.
 * @param {string} runtime where the runtime is now
 * @param {string} cacheFile
 * @param {string} runtimeWhenUsed where the runtime is when the cache is used: a script from the
 *   cache keeps the name it was made under (in stack traces, in the debugger)
 * @returns {number} the files cached
 */
export function writeCodeCache(runtime, cacheFile, runtimeWhenUsed) {
  /** @type {Map<string, vm.Script>} */
  const scripts = new Map();
  const done = compileRuntimeWith(runtime, (source, _file, key) => {
    const compiled = script(source, path.posix.join(runtimeWhenUsed, key));
    scripts.set(key, compiled);
    return compiled;
  });
  try {
    preloadRuntime(Module.createRequire(path.resolve(runtime, 'fabric-shim', 'cli.js')), path.resolve(runtime));
    prepareDebugger();
  } finally {
    done();
  }
  /** @type {Map<string, Buffer>} */
  const entries = new Map();
  for (const [key, compiled] of scripts) entries.set(key, compiled.createCachedData());
  fs.writeFileSync(cacheFile, v8.serialize(entries));
  return entries.size;
}
