/**
 * The Go module the Fabric commands are built in: sandbox/fabric as pinned,
 * or, when `STUDIO_FABRIC_COMMIT` names another Fabric commit, a copy of it
 * in the cache that requires that commit instead (`go get` resolves it
 * through the module proxy; `go mod tidy` completes go.sum).
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { cacheDir, projectRoot } from '../../config.ts';
import { ErrorCode, StudioError } from '../../errors.ts';

const pinnedModuleDir = path.join(projectRoot, 'sandbox', 'fabric');
const fabricModule = 'github.com/hyperledger/fabric';

/** A commit hash (12 to 40 hex digits) or a Go module version of Fabric; anything else is refused with what is accepted. */
export function checkFabricCommit(commit: string): string {
  const trimmed = commit.trim();
  if (/^[0-9a-f]{12,40}$/.test(trimmed) || /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+incompatible)?$/.test(trimmed)) return trimmed;
  throw new StudioError(
    ErrorCode.ImageBuild,
    `STUDIO_FABRIC_COMMIT="${commit}" is neither a Fabric commit (12 to 40 hex digits, e.g. the commit of the v2.5.16 tag) nor a Go module version (e.g. v1.4.0-rc1.0.20230401164317-bd8e24856939). Set one of those, or unset it to build the pinned v2.5.0.`,
  );
}

/** Where to build Fabric: the pinned module when `commit` is empty, else a cached copy requiring `commit`. */
export async function fabricModuleDir(commit: string, progress: (step: string, message: string) => void): Promise<string> {
  if (commit === '') return pinnedModuleDir;
  const wanted = checkFabricCommit(commit);
  const dir = path.join(cacheDir, 'fabric-module', wanted);
  const ready = path.join(dir, '.ready');
  if (existsSync(ready)) return dir;
  progress('fabric', `Resolving Fabric ${wanted} through the Go module proxy (STUDIO_FABRIC_COMMIT)`);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  for (const file of ['go.mod', 'go.sum', 'tools.go']) await fs.copyFile(path.join(pinnedModuleDir, file), path.join(dir, file));
  if (!requires(await fs.readFile(path.join(dir, 'go.mod'), 'utf8'), wanted)) {
    await goIn(dir, ['get', `${fabricModule}@${wanted}`], wanted);
    await goIn(dir, ['mod', 'tidy'], wanted);
  }
  await fs.writeFile(ready, `${wanted}\n`);
  return dir;
}

/** Whether go.mod already requires Fabric at `wanted` (its version, or the commit its pseudo-version ends with). */
export function requires(goMod: string, wanted: string): boolean {
  const version = new RegExp(`^\\s*(?:require\\s+)?${fabricModule.replace(/\./g, '\\.')}\\s+(\\S+)`, 'm').exec(goMod)?.[1];
  if (version === undefined) return false;
  const commit = /-([0-9a-f]{12})$/.exec(version)?.[1];
  return version === wanted || (commit !== undefined && /^[0-9a-f]{12,40}$/.test(wanted) && wanted.startsWith(commit));
}

function goIn(cwd: string, args: string[], commit: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, { cwd, env: { ...process.env, GOFLAGS: '-mod=mod' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', (err) => reject(new StudioError(ErrorCode.ImageBuild, `Go is needed to build Fabric: ${err.message}`, { cause: err })));
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new StudioError(
              ErrorCode.ImageBuild,
              `go ${args.join(' ')} failed for STUDIO_FABRIC_COMMIT=${commit} (does your module proxy serve this Fabric commit?):\n${output.trim().slice(-2000)}`,
            ),
          ),
    );
  });
}
