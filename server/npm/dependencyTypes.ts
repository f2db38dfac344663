/**
 * The type declarations of a workspace's installed packages, for the
 * editor's TypeScript worker: the `.d.ts` files of the packages the project
 * lists (their own, or their `@types/*`), then of what those depend on, each
 * package's package.json trimmed to the fields module resolution reads.
 *
 * The install is shared and its contents come from the registry, so it is
 * read as untrusted: package names are checked before they become paths,
 * links are never followed, nested `node_modules` are entered only by name,
 * and the files, their bytes and each file's size are capped. Packages past
 * a cap are named in `leftOut` rather than sent in part.
 */
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { DependencyTypeFile, DependencyTypes } from '../../protocol/messages.ts';
import { maxDependencyTypeBytes, maxDependencyTypeFileBytes, maxDependencyTypeFiles } from '../config.ts';
import { dependencyFields } from './dependencyManifest.ts';
import type { DependencyInstaller } from './dependencyInstaller.ts';

/** Limits of one collection; each defaults to its constant in config.ts. */
export interface TypeLimits {
  readonly maxFiles?: number;
  readonly maxBytes?: number;
  readonly maxFileBytes?: number;
}

/** What to collect: an install, and the package names to start from. */
export interface TypeRequest {
  /** The install's node_modules folder. */
  readonly nodeModulesDir: string;
  /** Its cache key, returned as the result's key. */
  readonly key: string;
  /** The packages the workspace lists, most important first. */
  readonly roots: readonly string[];
}

/** The compiler's own: the editor brings its TypeScript and its libs. */
const notServed = new Set(['typescript']);
/** A registry package name; nothing else may become a path. */
const packageName = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const declarationFile = /\.d\.(?:ts|mts|cts)$/;
/** The package.json fields TypeScript's module resolution reads. */
const resolutionFields = ['name', 'version', 'types', 'typings', 'typesVersions', 'main'] as const;
/** Folders deeper than this inside one package are not read. */
const maxFolderDepth = 12;

interface PackageFiles {
  readonly files: DependencyTypeFile[];
  readonly bytes: number;
  readonly dependencies: string[];
}

/** Reads a directory without following links; [] when it is missing or not a directory. */
async function entriesOf(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function isRealDirectory(dir: string): Promise<boolean> {
  const info = await lstat(dir).catch(() => undefined);
  return info !== undefined && info.isDirectory();
}

/** Packages `name` may be at, seen from the package folder `from` (relative to the install root), nearest first, as Node looks. */
function candidates(from: string | undefined, name: string): string[] {
  const found: string[] = [];
  let at = from;
  while (at !== undefined) {
    found.push(`${at}/node_modules/${name}`);
    const up = at.lastIndexOf('/node_modules/');
    at = up < 0 ? undefined : at.slice(0, up);
  }
  found.push(`node_modules/${name}`);
  return found;
}

class Collector {
  readonly #root: string;
  readonly #limits: Required<TypeLimits>;
  readonly #seen = new Set<string>();
  readonly files: DependencyTypeFile[] = [];
  readonly leftOut: string[] = [];
  #bytes = 0;
  #realRoot: string | undefined;

  constructor(nodeModulesDir: string, limits: TypeLimits) {
    this.#root = path.dirname(nodeModulesDir);
    this.#limits = {
      maxFiles: limits.maxFiles ?? maxDependencyTypeFiles,
      maxBytes: limits.maxBytes ?? maxDependencyTypeBytes,
      maxFileBytes: limits.maxFileBytes ?? maxDependencyTypeFileBytes,
    };
  }

  /** Breadth first from the roots: what the project names before what its packages need. */
  async collect(roots: readonly string[]): Promise<void> {
    let queue: { name: string; from: string | undefined }[] = roots.map((name) => ({ name, from: undefined }));
    while (queue.length > 0) {
      const next: typeof queue = [];
      for (const { name, from } of queue) {
        for (const wanted of [name, typesPackageOf(name)]) {
          if (wanted === undefined || notServed.has(wanted) || !packageName.test(wanted)) continue;
          const where = await this.#locate(from, wanted);
          if (where === undefined || this.#seen.has(where)) continue;
          this.#seen.add(where);
          const found = await this.#read(where);
          if (found.files.length === 0) continue;
          if (this.files.length + found.files.length > this.#limits.maxFiles || this.#bytes + found.bytes > this.#limits.maxBytes) {
            this.leftOut.push(wanted);
            continue;
          }
          this.files.push(...found.files);
          this.#bytes += found.bytes;
          next.push(...found.dependencies.map((dependency) => ({ name: dependency, from: where })));
        }
      }
      queue = next;
    }
  }

  /** Where Node would find `name` from `from`, never through a link out of the install. */
  async #locate(from: string | undefined, name: string): Promise<string | undefined> {
    this.#realRoot ??= await realpath(this.#root);
    for (const where of candidates(from, name)) {
      const full = path.join(this.#root, where);
      if (!(await isRealDirectory(full))) continue;
      const real = await realpath(full).catch(() => '');
      return real.startsWith(`${this.#realRoot}${path.sep}`) ? where : undefined;
    }
    return undefined;
  }

  /** The declarations of the package at `where`, its trimmed package.json, and the names it depends on. */
  async #read(where: string): Promise<PackageFiles> {
    const manifest = await this.#manifest(where);
    const files: DependencyTypeFile[] = [];
    let bytes = 0;
    const walk = async (relative: string, depth: number): Promise<void> => {
      for (const entry of await entriesOf(path.join(this.#root, relative))) {
        const child = `${relative}/${entry.name}`;
        if (entry.isDirectory()) {
          // A nested node_modules holds other packages: reached by name, from their dependents.
          if (entry.name !== 'node_modules' && depth < maxFolderDepth) await walk(child, depth + 1);
        } else if (entry.isFile() && declarationFile.test(entry.name)) {
          const size = (await lstat(path.join(this.#root, child))).size;
          if (size > this.#limits.maxFileBytes) continue;
          files.push({ path: child, text: await readFile(path.join(this.#root, child), 'utf8') });
          bytes += size;
        }
      }
    };
    await walk(where, 0);
    if (files.length > 0 && manifest !== undefined) {
      const text = JSON.stringify(manifest.resolution);
      files.unshift({ path: `${where}/package.json`, text });
      bytes += text.length;
    }
    return { files, bytes, dependencies: manifest?.dependencies ?? [] };
  }

  async #manifest(where: string): Promise<{ resolution: Record<string, unknown>; dependencies: string[] } | undefined> {
    const file = path.join(this.#root, where, 'package.json');
    const info = await lstat(file).catch(() => undefined);
    if (info === undefined || !info.isFile() || info.size > this.#limits.maxFileBytes) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const json = parsed as Record<string, unknown>;
    const resolution = Object.fromEntries(resolutionFields.filter((field) => json[field] !== undefined).map((field) => [field, json[field]]));
    const names = (field: string): string[] => {
      const value = json[field];
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
    };
    return { resolution, dependencies: [...names('dependencies'), ...names('peerDependencies')] };
  }
}

/** `@types/<name>` of a package (`@types/scope__name` for `@scope/name`); undefined for an `@types` package itself. */
export function typesPackageOf(name: string): string | undefined {
  if (name.startsWith('@types/')) return undefined;
  return `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
}

/** The declarations of an install's packages, starting from `request.roots`. */
export async function collectDependencyTypes(request: TypeRequest, limits: TypeLimits = {}): Promise<DependencyTypes> {
  const collector = new Collector(request.nodeModulesDir, limits);
  // The top-level @types packages count as listed: the compiler includes them all.
  const topTypes = (await entriesOf(path.join(request.nodeModulesDir, '@types'))).filter((entry) => entry.isDirectory()).map((entry) => `@types/${entry.name}`);
  await collector.collect([...request.roots, ...topTypes]);
  return { key: request.key, files: collector.files, leftOut: collector.leftOut };
}

/** Collections kept, by install key: a workspace opened again, or another with the same dependencies, is served at once. */
const keptCollections = 4;

/** Serves the declarations of workspaces' installed dependencies. */
export interface DependencyTypesService {
  /** The declarations of what the workspace in `workspaceDir` has installed; none (key null) before its dependencies are installed. */
  typesOf(workspaceDir: string): Promise<DependencyTypes>;
}

/** The package names the workspace's package.json lists, in field order (it was checked by the installer already). */
async function listedPackages(workspaceDir: string): Promise<string[]> {
  try {
    const json = JSON.parse(await readFile(path.join(workspaceDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    return dependencyFields.flatMap((field) => {
      const specs = json[field];
      return typeof specs === 'object' && specs !== null && !Array.isArray(specs) ? Object.keys(specs) : [];
    });
  } catch {
    return [];
  }
}

/** The service over `installer`'s cache; it never installs. */
export function createDependencyTypesService(installer: DependencyInstaller, limits: TypeLimits = {}): DependencyTypesService {
  const kept = new Map<string, Promise<DependencyTypes>>();
  return {
    async typesOf(workspaceDir) {
      const installed = await installer.installed(workspaceDir);
      if (installed === undefined) return { key: null, files: [], leftOut: [] };
      let collection = kept.get(installed.key);
      if (collection === undefined) {
        const roots = await listedPackages(workspaceDir);
        collection = collectDependencyTypes({ nodeModulesDir: installed.nodeModulesDir, key: installed.key, roots }, limits);
        collection.catch(() => kept.delete(installed.key));
        kept.set(installed.key, collection);
        for (const old of kept.keys()) if (kept.size > keptCollections) kept.delete(old);
      }
      return collection;
    },
  };
}
