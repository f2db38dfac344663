/**
 * Installs a workspace's npm dependencies with the machine's npm, into a
 * folder shared by every workspace with the same dependencies (see
 * dependencyCache.ts). npm runs on a package.json we generate from the
 * checked fields (dependencyManifest.ts), never the user's own, with install
 * scripts off, an environment without the server's secrets, a deadline and a
 * limit on the size of what it installs.
 */
import { lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dependencyCacheDir, dependencyInstallTimeoutMs, dependencyLockPollMs, maxDependencyBytes, npmRegistryUrl } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { createDependencyCache, dependencyKey, type DependencyCache } from './dependencyCache.ts';
import { readDependencyManifest, type DependencyManifest } from './dependencyManifest.ts';
import { npmFailure, fetchedPackage } from './npmOutput.ts';
import { runNpm } from './npmProcess.ts';

/** How long `npm --version` may take. */
const npmVersionTimeoutMs = 30_000;
/** A lock older than an install's deadline plus this is taken as left by a killed server. */
const staleLockMarginMs = 60_000;

/** Options of {@link createDependencyInstaller}; each defaults to its constant in config.ts. */
export interface DependencyInstallerOptions {
  /** Where installs are kept (`dependencyCacheDir`). */
  readonly cacheRoot?: string;
  /** The registry npm installs from (`npmRegistryUrl`). */
  readonly registryUrl?: string;
  /** How long one npm run may take (`dependencyInstallTimeoutMs`). */
  readonly timeoutMs?: number;
  /** The size an installed node_modules may reach (`maxDependencyBytes`). */
  readonly maxBytes?: number;
  /** The npm executable: `npm`, found on `searchPath`. */
  readonly npmCommand?: string;
  /** The PATH npm runs with: the server's own. */
  readonly searchPath?: string;
  /** How often a wait for another server's install of the same dependencies looks again (`dependencyLockPollMs`). */
  readonly lockPollMs?: number;
}

/** Options of one {@link DependencyInstaller.install}. */
export interface InstallRequest {
  /** Called with each step in words ("Resolving 2 dependencies", "Fetching x@1.0.0", "Installed 14 packages in 3.2 s"). */
  readonly onProgress?: (step: string) => void;
}

/** A workspace's dependencies, installed. */
export interface InstalledDependencies {
  /** The node_modules folder holding them (shared: read it, never write to it). */
  readonly nodeModulesDir: string;
  /** The cache key: a hash of the specs, the lockfile, and the npm and Node major versions. */
  readonly key: string;
  /** Packages installed, direct and transitive. */
  readonly packages: number;
  /** True when an earlier install of the same dependencies was used. */
  readonly fromCache: boolean;
  readonly durationMs: number;
}

/** Installs workspaces' npm dependencies. */
export interface DependencyInstaller {
  /**
   * Installs the dependencies of the workspace in `workspaceDir` (its
   * package.json, and its lockfile when it has one), or finds them installed.
   * Throws `bad_file` for a package.json or lockfile that names something
   * other than registry packages, `not_found` naming a package the registry
   * does not have, `timeout` and `limit` naming the limit reached.
   */
  install(workspaceDir: string, request?: InstallRequest): Promise<InstalledDependencies>;
  /**
   * The workspace's dependencies when an earlier install of exactly them is
   * whole in the cache; undefined when none is, or when its package.json or
   * lockfile would be refused. Never runs an install.
   */
  installed(workspaceDir: string): Promise<InstalledDependencies | undefined>;
}

class NpmDependencyInstaller implements DependencyInstaller {
  readonly #registryUrl: string;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #npmCommand: string;
  readonly #searchPath: string;
  readonly #cache: DependencyCache;
  #npmVersion: Promise<string> | undefined;

  constructor(options: DependencyInstallerOptions) {
    this.#registryUrl = options.registryUrl ?? npmRegistryUrl;
    this.#timeoutMs = options.timeoutMs ?? dependencyInstallTimeoutMs;
    this.#maxBytes = options.maxBytes ?? maxDependencyBytes;
    this.#npmCommand = options.npmCommand ?? 'npm';
    this.#searchPath = options.searchPath ?? process.env.PATH ?? '/usr/bin:/bin';
    this.#cache = createDependencyCache({
      root: options.cacheRoot ?? dependencyCacheDir,
      staleLockMs: this.#timeoutMs + staleLockMarginMs,
      lockPollMs: options.lockPollMs ?? dependencyLockPollMs,
    });
  }

  async install(workspaceDir: string, request: InstallRequest = {}): Promise<InstalledDependencies> {
    const started = performance.now();
    const progress = request.onProgress ?? (() => undefined);
    const manifest = await readDependencyManifest(workspaceDir, this.#registryUrl);
    const key = dependencyKey(manifest, { npmVersion: await this.#npmVersionOnce(), nodeVersion: process.version, registryUrl: this.#registryUrl });
    const result = (packages: number, fromCache: boolean): InstalledDependencies => ({
      nodeModulesDir: path.join(this.#cache.folderOf(key), 'node_modules'),
      key,
      packages,
      fromCache,
      durationMs: performance.now() - started,
    });
    const cached = async (): Promise<InstalledDependencies | undefined> => {
      const stamp = await this.#cache.readComplete(key);
      if (stamp === undefined) return undefined;
      progress(`Using the ${plural(stamp.packages, 'package')} installed before`);
      return result(stamp.packages, true);
    };

    const hit = await cached();
    if (hit !== undefined) return hit;
    return this.#cache.withKey(key, async () => {
      // Another install of the same key may have finished while this one waited.
      const installed = await cached();
      if (installed !== undefined) return installed;
      // A folder without its stamp is a crashed install's: never used, installed again.
      await this.#cache.discard(key);
      const packages = await this.#installFresh(key, manifest, progress);
      progress(`Installed ${plural(packages, 'package')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return result(packages, false);
    });
  }

  async installed(workspaceDir: string): Promise<InstalledDependencies | undefined> {
    const started = performance.now();
    let manifest: DependencyManifest;
    try {
      manifest = await readDependencyManifest(workspaceDir, this.#registryUrl);
    } catch (err) {
      if (err instanceof StudioError) return undefined;
      throw err;
    }
    const key = dependencyKey(manifest, { npmVersion: await this.#npmVersionOnce(), nodeVersion: process.version, registryUrl: this.#registryUrl });
    const stamp = await this.#cache.readComplete(key);
    if (stamp === undefined) return undefined;
    return { nodeModulesDir: path.join(this.#cache.folderOf(key), 'node_modules'), key, packages: stamp.packages, fromCache: true, durationMs: performance.now() - started };
  }

  async #installFresh(key: string, manifest: DependencyManifest, progress: (step: string) => void): Promise<number> {
    const folder = await this.#cache.makeTempFolder(key);
    const home = await this.#cache.makeTempFolder(`${key.slice(0, 8)}-home`);
    try {
      await writeFile(path.join(folder, 'package.json'), `${JSON.stringify(manifest.packageJson, null, 2)}\n`);
      if (manifest.lockfile !== undefined) await writeFile(path.join(folder, manifest.lockfile.name), manifest.lockfile.bytes);
      progress(
        manifest.lockfile === undefined
          ? `Resolving ${plural(manifest.directCount, 'dependency', 'dependencies')}`
          : `Installing ${plural(manifest.directCount, 'dependency', 'dependencies')} as locked in ${manifest.lockfile.name}`,
      );
      const run = await runNpm({
        command: this.#npmCommand,
        args: [manifest.lockfile === undefined ? 'install' : 'ci', ...npmInstallArgs(this.#registryUrl)],
        cwd: folder,
        env: this.#npmEnv(home),
        timeoutMs: this.#timeoutMs,
        onLine: (line) => {
          const fetched = fetchedPackage(line);
          if (fetched !== undefined) progress(`Fetching ${fetched}`);
        },
      });
      if (run.timedOut) {
        throw new StudioError(
          ErrorCode.Timeout,
          `npm did not install the workspace's dependencies within the ${this.#timeoutMs / 1000} s limit; check that the npm registry can be reached, or depend on fewer packages.`,
        );
      }
      if (run.exitCode !== 0) throw npmFailure(run.lines, this.#registryUrl);
      const bytes = await folderBytes(path.join(folder, 'node_modules'), this.#maxBytes);
      if (bytes > this.#maxBytes) {
        throw new StudioError(
          ErrorCode.Limit,
          `The workspace's dependencies take more than the ${mebibytes(this.#maxBytes)} MiB limit once installed; depend on fewer or smaller packages.`,
        );
      }
      const packages = await countInstalled(folder);
      await this.#cache.commit(key, folder, { packages });
      return packages;
    } finally {
      await Promise.all([rm(folder, { recursive: true, force: true }), rm(home, { recursive: true, force: true })]);
    }
  }

  /** Only what npm needs: the user's npmrc, tokens and the server's STUDIO_* settings stay out. */
  #npmEnv(home: string): Record<string, string> {
    return {
      PATH: this.#searchPath,
      HOME: home,
      npm_config_cache: this.#cache.npmCacheDir,
      npm_config_registry: this.#registryUrl,
    };
  }

  #npmVersionOnce(): Promise<string> {
    this.#npmVersion ??= this.#readNpmVersion().catch((err: unknown) => {
      this.#npmVersion = undefined;
      throw err;
    });
    return this.#npmVersion;
  }

  async #readNpmVersion(): Promise<string> {
    const home = await mkdtemp(path.join(tmpdir(), 'ccs-npm-home-'));
    try {
      const run = await runNpm({
        command: this.#npmCommand,
        args: ['--version'],
        cwd: home,
        env: this.#npmEnv(home),
        timeoutMs: npmVersionTimeoutMs,
        onLine: () => undefined,
      });
      const version = run.lines.find((line) => /^\d+\.\d+\.\d+/.test(line));
      if (run.exitCode !== 0 || version === undefined) {
        throw new StudioError(ErrorCode.Internal, `The server's npm did not run (${run.lines.slice(-3).join(' ')}); install Node.js with npm on the server.`);
      }
      return version;
    } catch (err) {
      if (err instanceof StudioError) throw err;
      throw new StudioError(ErrorCode.Internal, `The server could not run npm (${String(err)}); install Node.js with npm on the server.`, { cause: err });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }
}

/**
 * npm's options for a workspace install. Install scripts never run (they
 * would run the packages' code on the server). devDependencies are
 * installed: the compiler needs `@types/*` and tsconfig bases. Peer
 * dependencies are installed too, as npm does by default, since a package
 * needs its peers at run time.
 */
export function npmInstallArgs(registryUrl: string): string[] {
  return [
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--no-update-notifier',
    '--include=dev',
    '--include=optional',
    `--registry=${registryUrl}`,
    // The fetch lines are the progress the user sees.
    '--loglevel=http',
    '--prefer-offline',
    // One quick retry: an unreachable registry should fail in seconds, not after npm's minute of backoff.
    '--fetch-retries=1',
    '--fetch-retry-mintimeout=1000',
    '--fetch-retry-maxtimeout=5000',
  ];
}

/** The bytes under `dir` (files and links, not followed), counted until past `limit`. */
async function folderBytes(dir: string, limit: number): Promise<number> {
  let total = 0;
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined && total <= limit; next = pending.pop()) {
    let entries;
    try {
      entries = await readdir(next, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const entry of entries) {
      const full = path.join(next, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else total += (await lstat(full)).size;
    }
  }
  return total;
}

/** Packages npm installed, from the lockfile it keeps in node_modules. */
async function countInstalled(folder: string): Promise<number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path.join(folder, 'node_modules', '.package-lock.json'), 'utf8'));
  } catch {
    return 0;
  }
  const packages = typeof parsed === 'object' && parsed !== null && 'packages' in parsed ? parsed.packages : undefined;
  if (typeof packages !== 'object' || packages === null) return 0;
  return Object.keys(packages).filter((where) => where.startsWith('node_modules/')).length;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function mebibytes(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

/** An installer with `options` over the defaults in config.ts. */
export function createDependencyInstaller(options: DependencyInstallerOptions = {}): DependencyInstaller {
  return new NpmDependencyInstaller(options);
}
