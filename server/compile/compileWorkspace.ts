/**
 * Turns a workspace into what the sandbox runs: a folder with a package.json
 * whose `main` is the compiled entry, in which the sandbox runs
 * `fabric-chaincode-node start` with NODE_PATH at its preinstalled
 * fabric-contract-api and fabric-shim.
 *
 * The compiler itself runs in a worker process with time and memory limits
 * (compilerPool.ts); this module reads the manifest, picks the entry and
 * moves the output into place.
 *
 * The output is built in a fresh folder beside `outDir` and renamed into
 * place, so a reader sees the old build or the new one, never half of one.
 * (Whoever mounts it into a container should mount its parent folder: a bind
 * mount of `outDir` itself would keep showing the replaced folder.)
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import ts from 'typescript';
import type { Diagnostic } from '../../protocol/messages.ts';
import { samplesDir } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { studioDiagnostic, toDiagnostic } from './diagnostics.ts';
import { type CompilerPool, sharedCompilerPool } from './compilerPool.ts';
import { buildInputs, readBuildStamp, removeBuildStamp, writeBuildStamp } from './buildStamp.ts';
import { tsOutSubdir } from './typescriptBuild.ts';
import { swapInto } from './swapInto.ts';

export type BuildLanguage = 'typescript' | 'javascript';

export interface CompileOptions {
  /** Reuse the workspace's previous TypeScript Program (default true); false forces a cold compile. */
  readonly reuseProgram?: boolean;
  /** The workers to compile in (default: the server's shared pool, with the limits in config.ts). */
  readonly pool?: CompilerPool;
  /** The workspace's installed npm dependencies (a node_modules folder), which TypeScript sees as the workspace's own. */
  readonly dependenciesDir?: string;
  /** Keep the build in `outDir` when nothing it was made from has changed (see buildStamp.ts). */
  readonly reuseUnchanged?: boolean;
}

export interface CompileResult {
  /** True when there are no errors and `outDir` now holds the new build. */
  ok: boolean;
  language: BuildLanguage;
  /** Errors and warnings; errors mean nothing was written. */
  diagnostics: Diagnostic[];
  durationMs: number;
  /** The entry the output package.json names, relative to `outDir` (e.g. `dist/index.js`). */
  entry: string;
  /** True when `outDir` already held the build of these very inputs, and nothing was compiled. */
  reused?: boolean;
}

const outputQueues = new Map<string, Promise<unknown>>();

/**
 * Compiles the workspace at `workspaceDir` into `outDir` (replacing what was
 * there). TypeScript goes through the compiler API into `<outDir>/dist`;
 * JavaScript is syntax-checked and copied; both in a compile worker. Compiles
 * into the same `outDir` run one at a time. Throws a `limit` error when the
 * compile runs into the compile time or memory limit.
 */
export async function compileWorkspace(workspaceDir: string, outDir: string, options: CompileOptions = {}): Promise<CompileResult> {
  const started = performance.now();
  let realWorkspace: string;
  try {
    realWorkspace = await fs.realpath(workspaceDir);
  } catch (cause) {
    throw new StudioError(ErrorCode.NotFound, `There is no workspace folder at ${workspaceDir}: create the workspace first.`, { cause });
  }
  const target = path.resolve(outDir);
  return oneAtATime(target, () => compileInto(realWorkspace, target, options, started));
}

/** Runs `job` after whatever else writes `target` (a compile, an adoption) has ended. */
function oneAtATime<T>(target: string, job: () => Promise<T>): Promise<T> {
  const previous = outputQueues.get(target) ?? Promise.resolve();
  const run = previous.then(job, job);
  const settled = run.catch(() => undefined);
  outputQueues.set(target, settled);
  void settled.then(() => {
    if (outputQueues.get(target) === settled) outputQueues.delete(target);
  });
  return run;
}

/**
 * Puts a build made ahead of need into `outDir`: `from` must have been compiled with
 * `reuseUnchanged` (it carries a stamp), from the workspace as it is now and against the same
 * dependencies; otherwise nothing happens. True when it was put in place, so that a compile with
 * `reuseUnchanged` reuses it. The server builds a new workspace in the background this way, before
 * its first Run knows which sandbox (and so which build folder) it will have.
 */
export async function adoptBuild(workspaceDir: string, from: string, outDir: string, options: Pick<CompileOptions, 'dependenciesDir'> = {}): Promise<boolean> {
  const inputs = await buildInputs(await fs.realpath(workspaceDir), options.dependenciesDir);
  const source = path.resolve(from);
  const target = path.resolve(outDir);
  // Wait for a compile still writing `from`, then copy it while nothing writes `outDir`.
  return oneAtATime(source, () =>
    oneAtATime(target, async () => {
      const stamp = inputs === undefined ? undefined : await readBuildStamp(source, inputs);
      if (!stamp) return false;
      const temp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
      try {
        await fs.cp(source, temp, { recursive: true });
        await removeBuildStamp(target);
        await swapInto(temp, target);
      } catch (err) {
        await fs.rm(temp, { recursive: true, force: true });
        throw err;
      }
      await writeBuildStamp(target, stamp);
      return true;
    }),
  );
}

/** Drops what the compile workers keep in memory for a workspace (call when it is deleted). */
export async function forgetWorkspace(workspaceDir: string, options: { readonly pool?: CompilerPool } = {}): Promise<void> {
  (options.pool ?? sharedCompilerPool()).forget(await fs.realpath(workspaceDir).catch(() => path.resolve(workspaceDir)));
}

/**
 * Compiles the TypeScript sample in a throwaway folder, once in each compile
 * worker at the same time, so every worker has loaded the compiler and parsed
 * the standard library and Fabric's types before the first user's compile.
 * Call it when the server starts; workspaces made from the sample then
 * compile cold in a few hundred milliseconds instead of over a second.
 */
export async function warmUpCompiler(options: { readonly sampleDir?: string; readonly pool?: CompilerPool } = {}): Promise<void> {
  const { sampleDir = path.join(samplesDir, 'asset-transfer-ts'), pool = sharedCompilerPool() } = options;
  const temp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'studio-warm-up-')));
  try {
    await Promise.all(
      Array.from({ length: pool.size }, async (_, i) => {
        const workspace = path.join(temp, `workspace-${i}`);
        await fs.cp(sampleDir, workspace, { recursive: true });
        await compileWorkspace(workspace, path.join(temp, `out-${i}`), { pool });
        pool.forget(workspace);
      }),
    );
  } finally {
    await fs.rm(temp, { recursive: true, force: true });
  }
}

/** TypeScript if there is a tsconfig.json or any .ts source outside node_modules and dist. */
export async function detectLanguage(workspaceDir: string): Promise<BuildLanguage> {
  if (await exists(path.join(workspaceDir, 'tsconfig.json'))) return 'typescript';
  const hasTs = async (dir: string, depth: number): Promise<boolean> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.isFile() && /\.(c|m)?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) return true;
      const skipped = entry.name === 'node_modules' || entry.name === '.git' || entry.name === '.studio' || (depth === 0 && entry.name === 'dist');
      if (entry.isDirectory() && !skipped && (await hasTs(path.join(dir, entry.name), depth + 1))) return true;
    }
    return false;
  };
  return (await hasTs(workspaceDir, 0)) ? 'typescript' : 'javascript';
}

async function compileInto(workspaceDir: string, outDir: string, options: CompileOptions, started: number): Promise<CompileResult> {
  const inputs = options.reuseUnchanged ? await buildInputs(workspaceDir, options.dependenciesDir) : undefined;
  const stamp = inputs === undefined ? undefined : await readBuildStamp(outDir, inputs);
  if (stamp) return { ok: true, language: stamp.language, diagnostics: stamp.diagnostics, durationMs: performance.now() - started, entry: stamp.entry, reused: true };
  const language = await detectLanguage(workspaceDir);
  const manifest = await readManifest(workspaceDir);
  const diagnostics: Diagnostic[] = [...manifest.diagnostics];
  const temp = `${outDir}.tmp-${randomBytes(4).toString('hex')}`;
  await fs.mkdir(temp, { recursive: true });
  let entry: string;
  try {
    const pool = options.pool ?? sharedCompilerPool();
    const build = await pool.compile(
      language === 'typescript'
        ? {
            kind: 'typescript',
            workspaceDir,
            outDir: temp,
            reuseProgram: options.reuseProgram ?? true,
            ...(options.dependenciesDir === undefined ? {} : { dependenciesDir: options.dependenciesDir }),
          }
        : { kind: 'javascript', workspaceDir, outDir: temp },
    );
    diagnostics.push(...build.diagnostics);
    const outputs = build.outputs;
    entry = pickEntry(language, manifest.main, outputs, diagnostics);
    if (diagnostics.some((d) => d.severity === 'error')) {
      await fs.rm(temp, { recursive: true, force: true });
      return { ok: false, language, diagnostics, durationMs: performance.now() - started, entry };
    }
    const packageJson = { ...manifest.json, name: manifest.json.name ?? path.basename(workspaceDir), version: manifest.json.version ?? '1.0.0', main: entry };
    await fs.writeFile(path.join(temp, 'package.json'), JSON.stringify(packageJson, null, 2) + '\n');
    await removeBuildStamp(outDir);
    await swapInto(temp, outDir);
    if (inputs !== undefined) await writeBuildStamp(outDir, { inputs, language, entry, diagnostics });
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true });
    throw err;
  }
  return { ok: true, language, diagnostics, durationMs: performance.now() - started, entry };
}

interface Manifest {
  json: { name?: unknown; version?: unknown; main?: unknown } & Record<string, unknown>;
  main: string | undefined;
  diagnostics: Diagnostic[];
}

async function readManifest(workspaceDir: string): Promise<Manifest> {
  const file = path.join(workspaceDir, 'package.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return { json: {}, main: undefined, diagnostics: [] };
  }
  const parsed = ts.parseConfigFileTextToJson(file, text);
  if (parsed.error !== undefined) return { json: {}, main: undefined, diagnostics: [toDiagnostic(parsed.error, workspaceDir, 'package.json')] };
  const json: unknown = parsed.config;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { json: {}, main: undefined, diagnostics: [studioDiagnostic('package.json', 'package.json must hold a JSON object.')] };
  }
  const record = json as Manifest['json'];
  const main = typeof record.main === 'string' ? path.posix.normalize(record.main).replace(/^\.\//, '') : undefined;
  return { json: record, main, diagnostics: [] };
}

/**
 * The file `main` resolves to among the outputs, the way Node resolves it
 * (as is, with .js, or as a folder's index.js); otherwise the default entry.
 */
function pickEntry(language: BuildLanguage, main: string | undefined, outputs: string[], diagnostics: Diagnostic[]): string {
  const fallback = language === 'typescript' ? `${tsOutSubdir}/index.js` : 'index.js';
  const candidates = main === undefined ? [fallback] : [main, `${main}.js`, `${main}/index.js`, fallback];
  if (outputs.length === 0) return candidates[0] ?? fallback;
  const found = candidates.find((c) => outputs.includes(c));
  if (found !== undefined) return found;
  const expected = language === 'typescript' ? 'src/index.ts' : 'index.js';
  diagnostics.push(
    studioDiagnostic(
      'package.json',
      `The chaincode has no entry point: package.json "main" is ${main === undefined ? 'missing' : `"${main}"`} and there is no ${fallback}. Add ${expected} exporting \`contracts\`, or point "main" at your entry file.`,
    ),
  );
  return fallback;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
