/**
 * A real package-lock.json for a chaincode's production package.json.
 *
 * Both places a production chaincode is built install its dependencies with
 * `npm ci --omit=dev`: Fabric's node builder (fabric-nodeenv's build.sh does
 * when a lockfile is present) and the Dockerfile of the ccaas bundle. `npm ci`
 * needs a lockfile that matches package.json exactly, and a lockfile is what
 * makes two builds of one package install the same dependency tree. The
 * Studio's own package-lock.json locks the Studio, not the chaincode, and
 * writing one by hand from node_modules would get the `resolved` and
 * `integrity` fields wrong, so we ask npm: `npm install --package-lock-only`
 * resolves the tree from the registry (or npm's cache) without installing
 * or running anything. The result is cached by the hash of package.json.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lockfileCacheDir, lockfileTimeoutMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { checkRegistryDependencies } from '../npm/registrySpec.ts';

/** Options of {@link lockfileFor}. */
export interface LockfileOptions {
  /** Where results are cached; defaults to `lockfileCacheDir`. */
  readonly cacheDir?: string;
  /** Defaults to `lockfileTimeoutMs`. */
  readonly timeoutMs?: number;
  /** An npm registry URL other than the one npm is configured with. */
  readonly registry?: string;
}

/**
 * The package-lock.json text for `packageJson` (the exact text that will be
 * shipped beside it). Throws `export` if a dependency is not a registry
 * package (see registrySpec.ts), or if npm cannot resolve the tree in time.
 */
export async function lockfileFor(packageJson: string, options: LockfileOptions = {}): Promise<string> {
  checkDependencies(packageJson);
  const cacheDir = options.cacheDir ?? lockfileCacheDir;
  const key = createHash('sha256').update(packageJson).update('\0').update(options.registry ?? '').digest('hex');
  const cached = path.join(cacheDir, `${key}.json`);
  try {
    return await readFile(cached, 'utf8');
  } catch {
    // Not cached yet: resolve below.
  }

  const work = await mkdtemp(path.join(tmpdir(), 'ccs-lockfile-'));
  try {
    await writeFile(path.join(work, 'package.json'), packageJson);
    await runNpm(work, options);
    const lockfile = await readFile(path.join(work, 'package-lock.json'), 'utf8');
    checkLockfile(lockfile);
    await mkdir(cacheDir, { recursive: true });
    // Written whole then renamed, so a concurrent export never reads half a file.
    const partial = `${cached}.${process.pid}.partial`;
    await writeFile(partial, lockfile);
    await rename(partial, cached);
    return lockfile;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** npm fetches only from the registry: every kind of dependency it would resolve must be a registry spec. */
function checkDependencies(packageJson: string): void {
  let manifest: unknown;
  try {
    manifest = JSON.parse(packageJson);
  } catch (err) {
    throw new StudioError(ErrorCode.Export, 'The chaincode package.json is not valid JSON.', { cause: err });
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new StudioError(ErrorCode.Export, 'The chaincode package.json must hold a JSON object.');
  }
  const fields = manifest as Record<string, unknown>;
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies']) checkRegistryDependencies(fields[field], field);
  if (fields.overrides !== undefined || fields.bundleDependencies !== undefined || fields.bundledDependencies !== undefined) {
    throw new StudioError(ErrorCode.Export, 'The chaincode package.json may not use "overrides" or "bundleDependencies" in an export; list plain registry dependencies.');
  }
}

function runNpm(cwd: string, options: LockfileOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? lockfileTimeoutMs;
  const args = [
    'install',
    '--package-lock-only',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    // No registry URLs in the lockfile: `npm ci` fetches from whatever registry (or mirror) the builder
    // uses, and the integrity hashes still pin every tarball. Set here so the user's npmrc cannot vary it.
    '--omit-lockfile-registry-resolved=true',
    // One quick retry: an unreachable registry should fail in seconds, not after npm's minute of backoff.
    '--fetch-retries=1',
    '--fetch-retry-mintimeout=1000',
    '--fetch-retry-maxtimeout=5000',
    ...(options.registry === undefined ? [] : [`--registry=${options.registry}`]),
  ];
  return new Promise((resolve, reject) => {
    execFile('npm', args, { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err === null) {
        resolve();
        return;
      }
      const output = stderr.trim().split('\n').slice(-8).join('\n');
      const message =
        err.killed || err.signal === 'SIGKILL'
          ? `npm did not resolve the chaincode's dependencies within ${timeoutMs / 1000} s; check that the npm registry can be reached, then export again.`
          : `npm could not resolve the chaincode's dependencies (is the npm registry reachable?):\n${output}`;
      reject(new StudioError(ErrorCode.Export, message, { cause: err }));
    });
  });
}

function checkLockfile(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StudioError(ErrorCode.Export, 'npm wrote a package-lock.json that is not JSON.', { cause: err });
  }
  const version = typeof parsed === 'object' && parsed !== null && 'lockfileVersion' in parsed ? parsed.lockfileVersion : undefined;
  if (typeof version !== 'number' || version < 2) {
    throw new StudioError(ErrorCode.Export, `npm wrote a package-lock.json of an unexpected version (${String(version)}); use npm 7 or later.`);
  }
}
