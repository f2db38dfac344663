/**
 * Builds a Go chaincode workspace for the sandbox: the workspace's files are
 * copied (no links, no .git/.studio/node_modules) into a staging folder the
 * go command may write go.sum into, the module is built with `-trimpath`
 * (source paths read `<module path>/<file>`, which is how the debugger maps
 * them back) and without optimisations so Delve sees every variable, then
 * `go vet` runs. The binary lands in `<outDir>/go-chaincode`, swapped in
 * whole like a Node build; the sandbox's agent runs it when it finds it.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../../protocol/messages.ts';
import { runGo } from './goCommand.ts';
import { goFailureSummary, parseGoOutput } from './goDiagnostics.ts';
import { readGoModule } from './goModule.ts';
import { swapInto } from '../compile/swapInto.ts';

/** The binary's name in the build folder; the agent looks for it (sandbox/agent/goChaincode.mjs). */
export const goBinaryName = 'go-chaincode';
const stampName = 'go-build.json';
const skipped = new Set(['.git', '.studio', 'node_modules', 'dist']);

export interface GoBuildOptions {
  readonly workspaceDir: string;
  /** Where the binary goes (`<sandbox build dir>/app`), replaced whole on success. */
  readonly outDir: string;
  /** A folder of the server's own to build in (kept between builds so the go command's caches hit). */
  readonly stagingDir: string;
  /** Build with optimisations (an export); by default for the debugger (`-N -l`). */
  readonly optimised?: boolean;
  readonly vet?: boolean;
  readonly onLine?: (line: string) => void;
}

export interface GoBuildResult {
  readonly ok: boolean;
  readonly diagnostics: Diagnostic[];
  readonly durationMs: number;
  readonly modulePath: string;
  /** True when `outDir` already held the build of these very files. */
  readonly reused: boolean;
}

const queues = new Map<string, Promise<unknown>>();

/** Builds one workspace; builds into the same `outDir` run one after another. */
export function buildGoWorkspace(options: GoBuildOptions): Promise<GoBuildResult> {
  const key = path.resolve(options.outDir);
  const run = (queues.get(key) ?? Promise.resolve()).then(
    () => buildOnce(options),
    () => buildOnce(options),
  );
  const settled = run.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => queues.get(key) === settled && queues.delete(key));
  return run;
}

async function buildOnce(options: GoBuildOptions): Promise<GoBuildResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let goMod: string;
  try {
    goMod = await fs.readFile(path.join(options.workspaceDir, 'go.mod'), 'utf8');
  } catch {
    return { ok: false, diagnostics: [{ file: 'go.mod', line: 1, column: 1, severity: 'error', message: 'A Go workspace needs a go.mod at its root (`go mod init <module path>`).', code: 'go.mod' }], durationMs: elapsed(), modulePath: '', reused: false };
  }
  const mod = readGoModule(goMod);
  if (mod.problems.length > 0) return { ok: false, diagnostics: mod.problems, durationMs: elapsed(), modulePath: mod.modulePath, reused: false };

  const src = path.join(options.stagingDir, 'src');
  const inputs = await copySources(options.workspaceDir, src);
  const stamp = `${inputs} ${options.optimised ? 'optimised' : 'debug'} ${options.vet ? 'vet' : ''}`;
  const previous = await fs.readFile(path.join(options.outDir, stampName), 'utf8').catch(() => '');
  if (previous !== '' && JSON.parse(previous).stamp === stamp) {
    return { ok: true, diagnostics: JSON.parse(previous).diagnostics as Diagnostic[], durationMs: elapsed(), modulePath: mod.modulePath, reused: true };
  }

  const temp = `${options.outDir}.tmp-${randomBytes(4).toString('hex')}`;
  await fs.mkdir(temp, { recursive: true });
  try {
    // For the debugger: no optimisations, and DWARF left uncompressed (the link is a good part of a rebuild).
    const gcflags = options.optimised ? [] : ['-gcflags=all=-N -l', '-ldflags=-compressdwarf=false'];
    const built = await runGo(['build', '-trimpath', ...gcflags, '-o', path.join(temp, goBinaryName), '.'], { cwd: src, ...(options.onLine ? { onLine: options.onLine } : {}) });
    if (built.code !== 0) {
      const diagnostics = parseGoOutput(built.output, src, 'error', 'go build');
      if (!diagnostics.some((d) => d.severity === 'error')) diagnostics.push({ file: 'go.mod', line: 1, column: 1, severity: 'error', message: goFailureSummary(built.output, src), code: 'go build' });
      await fs.rm(temp, { recursive: true, force: true });
      return { ok: false, diagnostics, durationMs: elapsed(), modulePath: mod.modulePath, reused: false };
    }
    const diagnostics: Diagnostic[] = [];
    if (options.vet) {
      const vetted = await runGo(['vet', './...'], { cwd: src });
      if (vetted.code !== 0) diagnostics.push(...parseGoOutput(vetted.output, src, 'warning', 'go vet'));
    }
    await fs.writeFile(path.join(temp, stampName), JSON.stringify({ stamp, modulePath: mod.modulePath, diagnostics }));
    await swapInto(temp, options.outDir);
    return { ok: true, diagnostics, durationMs: elapsed(), modulePath: mod.modulePath, reused: false };
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true });
    throw err;
  }
}

/** `go vet` on the sources the last build of `stagingDir` staged: its findings as warnings. */
export async function vetGoWorkspace(stagingDir: string): Promise<Diagnostic[]> {
  const src = path.join(stagingDir, 'src');
  const vetted = await runGo(['vet', './...'], { cwd: src });
  return vetted.code === 0 ? [] : parseGoOutput(vetted.output, src, 'warning', 'go vet');
}

/**
 * Mirrors the workspace's regular files into `dest` (symbolic links are left out: a link to a host
 * file must not reach the compiler) and returns a hash of their paths and contents.
 */
async function copySources(workspaceDir: string, dest: string): Promise<string> {
  const hash = createHash('sha256');
  const wanted = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(workspaceDir, rel), { withFileTypes: true })) {
      if (skipped.has(entry.name) && rel === '') continue;
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== '.git') await walk(childRel);
      } else if (entry.isFile()) {
        const content = await fs.readFile(path.join(workspaceDir, childRel));
        hash.update(`${childRel}\0${content.length}\0`).update(content);
        wanted.add(childRel);
        const target = path.join(dest, childRel);
        const existing = await fs.readFile(target).catch(() => undefined);
        // go.sum is the go command's to complete: keep its additions unless the user changed the file.
        if (existing !== undefined && existing.equals(content)) continue;
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, content);
      }
    }
  };
  await fs.mkdir(dest, { recursive: true });
  await walk('');
  await removeUnwanted(dest, '', wanted);
  return hash.digest('hex');
}

/** Deletes staged files the workspace no longer has (go.sum stays: the go command keeps it). */
async function removeUnwanted(root: string, rel: string, wanted: ReadonlySet<string>): Promise<void> {
  for (const entry of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) await removeUnwanted(root, childRel, wanted);
    else if (!wanted.has(childRel) && childRel !== 'go.sum') await fs.rm(path.join(root, childRel), { force: true });
  }
}

/** The module path of the Go build in `outDir`, or undefined when the build there is not a Go one. */
export async function goBuildModulePath(outDir: string): Promise<string | undefined> {
  try {
    const stamp: unknown = JSON.parse(await fs.readFile(path.join(outDir, stampName), 'utf8'));
    const modulePath = (stamp as { modulePath?: unknown }).modulePath;
    await fs.access(path.join(outDir, goBinaryName));
    return typeof modulePath === 'string' ? modulePath : undefined;
  } catch {
    return undefined;
  }
}
