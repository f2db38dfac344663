/**
 * The folders installed dependencies are kept in, one per set of
 * dependencies, shared by the workspaces that ask for the same set:
 *
 *     <root>/<key>/node_modules       the installed packages
 *     <root>/<key>/.studio-complete    written last: the folder is whole
 *     <root>/<key>.lock                held by the server installing <key>
 *     <root>/.tmp/                     installs in progress, renamed into place
 *                                      (a killed server's are removed once old)
 *     <root>/.npm/                     npm's download cache
 *
 * A folder without its stamp is what a crash mid-install leaves: it is
 * removed and installed again. Installs of one key wait for one another,
 * in this process through a promise per key and across servers through the
 * lock file.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, StudioError } from '../errors.ts';
import type { DependencyManifest } from './dependencyManifest.ts';

const stampName = '.studio-complete';

/** What the stamp of a finished install records. */
export interface InstallStamp {
  readonly packages: number;
}

/** Everything besides the manifest that changes what npm installs. */
export interface DependencyKeyInputs {
  readonly npmVersion: string;
  readonly nodeVersion: string;
  readonly registryUrl: string;
}

/** The cache folder name of a set of dependencies: a hash of the specs, the lockfile, and the npm and Node major versions. */
export function dependencyKey(manifest: DependencyManifest, inputs: DependencyKeyInputs): string {
  const major = (version: string): string => version.replace(/^v/, '').split('.')[0] ?? '';
  const overrides = manifest.packageJson.overrides;
  return createHash('sha256')
    .update(JSON.stringify({ specs: manifest.specs, overrides: overrides === undefined ? null : sortDeep(overrides) }))
    .update('\0')
    .update(manifest.lockfile?.name ?? '')
    .update('\0')
    .update(manifest.lockfile?.bytes ?? '')
    .update('\0')
    .update(`npm ${major(inputs.npmVersion)}\0node ${major(inputs.nodeVersion)}\0${inputs.registryUrl}`)
    .digest('hex');
}

function sortDeep(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortDeep(v)]));
}

/** Options of {@link createDependencyCache}. */
export interface DependencyCacheOptions {
  readonly root: string;
  /** A lock file older than this is taken as left by a killed server. */
  readonly staleLockMs: number;
  readonly lockPollMs: number;
}

/** The cache folders, their stamps and their locks. */
export interface DependencyCache {
  /** The folder npm uses as its download cache. */
  readonly npmCacheDir: string;
  /** The folder of `key` (whole or not). */
  folderOf(key: string): string;
  /** The stamp of `key`'s folder when its install finished, else undefined. */
  readComplete(key: string): Promise<InstallStamp | undefined>;
  /** Runs `work` while holding `key`, after any other holder in this process or another server let go. */
  withKey<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** A new empty folder to install into, on the cache's file system so it can be renamed into place. */
  makeTempFolder(key: string): Promise<string>;
  /** Stamps `temp` and moves it into `key`'s place, replacing any half folder left there. */
  commit(key: string, temp: string, stamp: InstallStamp): Promise<void>;
  /** Removes `key`'s folder (a half one, found without a stamp). */
  discard(key: string): Promise<void>;
}

class FolderCache implements DependencyCache {
  readonly #root: string;
  readonly #staleLockMs: number;
  readonly #lockPollMs: number;
  readonly #held = new Map<string, Promise<unknown>>();

  constructor(options: DependencyCacheOptions) {
    this.#root = options.root;
    this.#staleLockMs = options.staleLockMs;
    this.#lockPollMs = options.lockPollMs;
  }

  get npmCacheDir(): string {
    return path.join(this.#root, '.npm');
  }

  folderOf(key: string): string {
    return path.join(this.#root, key);
  }

  async readComplete(key: string): Promise<InstallStamp | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path.join(this.folderOf(key), stampName), 'utf8'));
    } catch {
      return undefined;
    }
    const packages = typeof parsed === 'object' && parsed !== null && 'packages' in parsed ? parsed.packages : undefined;
    return typeof packages === 'number' ? { packages } : undefined;
  }

  async withKey<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#held.get(key) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(() => this.#withLockFile(key, work));
    const tail = run.catch(() => undefined);
    this.#held.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#held.get(key) === tail) this.#held.delete(key);
    }
  }

  async makeTempFolder(key: string): Promise<string> {
    const tmp = path.join(this.#root, '.tmp');
    await mkdir(tmp, { recursive: true });
    await this.#sweepTemp(tmp);
    return mkdtemp(path.join(tmp, `${key.slice(0, 16)}-`));
  }

  /** Temp folders of installs that a killed server left: older than any install can run, so no server still uses them. */
  async #sweepTemp(tmp: string): Promise<void> {
    for (const name of await readdir(tmp)) {
      const folder = path.join(tmp, name);
      const info = await stat(folder).catch(() => undefined);
      if (info !== undefined && Date.now() - info.mtimeMs > this.#staleLockMs) await rm(folder, { recursive: true, force: true });
    }
  }

  async commit(key: string, temp: string, stamp: InstallStamp): Promise<void> {
    await writeFile(path.join(temp, stampName), JSON.stringify(stamp));
    await this.discard(key);
    await rename(temp, this.folderOf(key));
  }

  async discard(key: string): Promise<void> {
    await rm(this.folderOf(key), { recursive: true, force: true });
  }

  async #withLockFile<T>(key: string, work: () => Promise<T>): Promise<T> {
    await mkdir(this.#root, { recursive: true });
    const lock = path.join(this.#root, `${key}.lock`);
    const giveUpAt = Date.now() + 2 * this.#staleLockMs;
    for (;;) {
      try {
        const handle = await open(lock, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (await this.#isStale(lock)) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > giveUpAt) {
        throw new StudioError(ErrorCode.Timeout, `Another server has been installing the same dependencies for too long (lock ${lock}); try again later.`);
      }
      await sleep(this.#lockPollMs);
    }
    try {
      return await work();
    } finally {
      await rm(lock, { force: true });
    }
  }

  /** A lock whose server is gone (same machine) or that is older than any install can take. */
  async #isStale(lock: string): Promise<boolean> {
    try {
      const [info, text] = await Promise.all([stat(lock), readFile(lock, 'utf8')]);
      if (Date.now() - info.mtimeMs > this.#staleLockMs) return true;
      const pid = Number(text);
      if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
      try {
        process.kill(pid, 0);
        return false;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ESRCH';
      }
    } catch {
      // Gone between our attempt and this look: try again at once.
      return false;
    }
  }
}

/** The dependency cache under `options.root`. */
export function createDependencyCache(options: DependencyCacheOptions): DependencyCache {
  return new FolderCache(options);
}
