/**
 * Workspaces are plain folders on disk, `<dataDir>/workspaces/<id>/`, created
 * from a sample. This module owns every read and write inside them; each path
 * a client names goes through {@link resolveInside} first.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { WorkspaceId, type FileEntry } from '../../protocol/messages.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { syncDir, tempFilePrefix, writeFileAtomic } from './atomicWrite.ts';
import { isNotFound, refuseInstalledFolder, resolveInside, type InsidePath } from './resolveInside.ts';
import { placeNewWorkspace, writeNewFiles, type NewFile } from './newWorkspace.ts';
import { removeGeneration } from './workspaceGeneration.ts';
import { checkLimits, missingParents } from './workspaceLimits.ts';
import { assertReadableSize, contentVersion, decodeText, encodeText } from './textFile.ts';
import { copyTree, languageOf, newestChangeMs, readStudioJson, studioDirName, walk, type WorkspaceLanguage } from './workspaceFolder.ts';

/** A sample a workspace can start from: a folder of `samplesDir` with a `studio.json`. */
export interface SampleInfo {
  id: string;
  title: string;
  language: WorkspaceLanguage;
  chaincodeName: string;
}

export interface WorkspaceSummary {
  id: string;
  language: WorkspaceLanguage;
  /** ISO time of the newest change to any file in the workspace. */
  modified: string;
}

export interface WorkspaceStoreOptions {
  /** Workspaces live in `<dataDir>/workspaces/`. */
  readonly dataDir: string;
  /** One folder per sample, each with a `studio.json`. */
  readonly samplesDir: string;
}

/**
 * Workspace folders and the files in them. Paths are workspace-relative and
 * '/'-separated; every method refuses paths that leave the workspace, pass
 * through a symlink or name the studio's own `.studio/` folder. Failures are
 * StudioErrors (`bad_path`, `bad_file`, `not_found`, `already_exists`, `limit`).
 */
export interface WorkspaceStore {
  listSamples(): Promise<SampleInfo[]>;
  list(): Promise<WorkspaceSummary[]>;
  /** Creates workspace `id` as a copy of sample `sampleId`. */
  create(id: string, sampleId: string): Promise<void>;
  /** Creates workspace `id` holding exactly `files` (text), all or nothing, within the workspace limits. */
  createFromFiles(id: string, files: readonly NewFile[]): Promise<void>;
  delete(id: string): Promise<void>;
  exists(id: string): Promise<boolean>;
  /** The workspace's absolute folder (it may not exist). */
  dir(id: string): string;
  /** Every file and folder, sorted by path; node_modules, .git, the top-level dist/ and .studio/ are left out. */
  listFiles(id: string): Promise<FileEntry[]>;
  read(id: string, relPath: string): Promise<{ path: string; content: string; version: string }>;
  /** Replaces or creates a text file atomically, creating missing parent folders. */
  write(id: string, relPath: string, content: string): Promise<{ path: string; version: string }>;
  /** Creates an empty file or a folder; `already_exists` if something is there. */
  createEntry(id: string, relPath: string, kind: 'file' | 'dir'): Promise<{ path: string }>;
  /** Renames or moves a file or folder; refuses to overwrite. */
  rename(id: string, from: string, to: string): Promise<{ from: string; to: string }>;
  /** Deletes a file, or a folder with everything in it. */
  remove(id: string, relPath: string): Promise<{ path: string }>;
}

/** The folder the studio keeps its own per-workspace state in; clients cannot touch it. */
/** Prefixes of the hidden folders beside the workspaces while one is created or deleted; a crash may leave them. */
export const copyPrefix = '.tmp-';
export const trashPrefix = '.trash-';

export function createWorkspaceStore(options: WorkspaceStoreOptions): WorkspaceStore {
  return new FolderWorkspaceStore(options);
}

class FolderWorkspaceStore implements WorkspaceStore {
  readonly #dataDir: string;
  readonly #workspacesDir: string;
  readonly #samplesDir: string;
  // Mutations of one workspace run one after another, so limit checks and existence checks hold.
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: WorkspaceStoreOptions) {
    this.#dataDir = path.resolve(options.dataDir);
    this.#workspacesDir = path.join(this.#dataDir, 'workspaces');
    this.#samplesDir = path.resolve(options.samplesDir);
  }

  async listSamples(): Promise<SampleInfo[]> {
    const entries = await fs.readdir(this.#samplesDir, { withFileTypes: true });
    const samples: SampleInfo[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const info = await readStudioJson(path.join(this.#samplesDir, entry.name));
      if (info !== undefined) samples.push({ id: entry.name, ...info });
    }
    // Node samples first (the first is the one preselected), then the rest, each group by id.
    const group = (s: SampleInfo) => (s.language === 'go' ? 1 : 0);
    return samples.sort((a, b) => group(a) - group(b) || compare(a.id, b.id));
  }

  async list(): Promise<WorkspaceSummary[]> {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(this.#workspacesDir, { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    const summaries: WorkspaceSummary[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !WorkspaceId.safeParse(entry.name).success) continue;
      const root = path.join(this.#workspacesDir, entry.name);
      summaries.push({ id: entry.name, language: await languageOf(root), modified: new Date(await newestChangeMs(root)).toISOString() });
    }
    return summaries.sort((a, b) => compare(a.id, b.id));
  }

  async create(id: string, sampleId: string): Promise<void> {
    const target = this.dir(id);
    return this.#serial(id, async () => {
      const sample = (await this.listSamples()).find((s) => s.id === sampleId);
      if (sample === undefined) {
        throw new StudioError(ErrorCode.NotFound, `There is no sample "${sampleId}": pick one from the sample list.`);
      }
      await this.#requireAbsent(id);
      const fill = (temp: string) => copyTree(path.join(this.#samplesDir, sample.id), temp);
      await placeNewWorkspace({ dataDir: this.#dataDir, workspacesDir: this.#workspacesDir, id, target, fill, tempPrefix: copyPrefix });
    });
  }

  async createFromFiles(id: string, files: readonly NewFile[]): Promise<void> {
    const target = this.dir(id);
    return this.#serial(id, async () => {
      await this.#requireAbsent(id);
      const fill = (temp: string) => writeNewFiles(temp, id, files);
      await placeNewWorkspace({ dataDir: this.#dataDir, workspacesDir: this.#workspacesDir, id, target, fill, tempPrefix: copyPrefix });
    });
  }

  async delete(id: string): Promise<void> {
    const root = this.dir(id);
    return this.#serial(id, async () => {
      await this.#requireWorkspace(id);
      // Rename first: the workspace disappears at once even if removing its files takes a while.
      const trash = path.join(this.#workspacesDir, `${trashPrefix}${id}-${randomBytes(4).toString('hex')}`);
      await removeGeneration(this.#dataDir, id);
      await fs.rename(root, trash);
      await fs.rm(trash, { recursive: true, force: true });
    });
  }

  async exists(id: string): Promise<boolean> {
    try {
      return (await fs.lstat(this.dir(id))).isDirectory();
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  dir(id: string): string {
    if (!WorkspaceId.safeParse(id).success) {
      throw new StudioError(ErrorCode.BadPath, `"${id}" is not a workspace name: use 1-63 lowercase letters, digits or dashes.`);
    }
    return path.join(this.#workspacesDir, id);
  }

  async listFiles(id: string): Promise<FileEntry[]> {
    const root = await this.#requireWorkspace(id);
    const files: FileEntry[] = [];
    await walk(root, '', (rel, entry, size) => {
      files.push(entry.isDirectory() ? { path: rel, kind: 'dir' } : { path: rel, kind: 'file', size });
    });
    return files.sort((a, b) => compare(a.path, b.path));
  }

  async read(id: string, relPath: string): Promise<{ path: string; content: string; version: string }> {
    const target = await this.#resolve(id, relPath);
    const stat = requireExisting(target);
    if (!stat.isFile()) throw notAFile(target.rel);
    assertReadableSize(target.rel, stat.size);
    // O_NOFOLLOW: a symlink swapped in after the check is refused, not followed.
    const handle = await fs.open(target.abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    let bytes: Buffer;
    try {
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
    return { path: target.rel, content: decodeText(target.rel, bytes), version: contentVersion(bytes) };
  }

  async write(id: string, relPath: string, content: string): Promise<{ path: string; version: string }> {
    return this.#serial(id, async () => {
      const target = await this.#resolve(id, relPath, 'place');
      if (target.stat !== undefined && !target.stat.isFile()) throw notAFile(target.rel);
      const bytes = encodeText(target.rel, content);
      const root = this.dir(id);
      const newDirs = target.stat === undefined ? await missingParents(root, target.rel) : 0;
      await checkLimits(root, target.rel, {
        addedEntries: (target.stat === undefined ? 1 : 0) + newDirs,
        addedBytes: bytes.byteLength - (target.stat?.size ?? 0),
      });
      await fs.mkdir(path.dirname(target.abs), { recursive: true });
      await writeFileAtomic(target.abs, bytes);
      return { path: target.rel, version: contentVersion(bytes) };
    });
  }

  async createEntry(id: string, relPath: string, kind: 'file' | 'dir'): Promise<{ path: string }> {
    return this.#serial(id, async () => {
      const target = await this.#resolve(id, relPath, 'place');
      if (target.stat !== undefined) {
        throw new StudioError(ErrorCode.AlreadyExists, `"${target.rel}" already exists: choose another name.`);
      }
      const root = this.dir(id);
      await checkLimits(root, target.rel, { addedEntries: 1 + (await missingParents(root, target.rel)), addedBytes: 0 });
      await fs.mkdir(path.dirname(target.abs), { recursive: true });
      if (kind === 'dir') {
        await fs.mkdir(target.abs);
      } else {
        await (await fs.open(target.abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644)).close();
      }
      await syncDir(path.dirname(target.abs));
      return { path: target.rel };
    });
  }

  async rename(id: string, from: string, to: string): Promise<{ from: string; to: string }> {
    return this.#serial(id, async () => {
      const source = await this.#resolve(id, from);
      requireExisting(source);
      const target = await this.#resolve(id, to, 'place');
      if (target.stat !== undefined) {
        throw new StudioError(ErrorCode.AlreadyExists, `"${target.rel}" already exists: choose another name, or delete it first.`);
      }
      if (target.rel.startsWith(source.rel + '/')) {
        throw new StudioError(ErrorCode.BadPath, `Cannot move "${source.rel}" into itself ("${target.rel}"): choose a folder outside it.`);
      }
      const root = this.dir(id);
      await checkLimits(root, target.rel, { addedEntries: await missingParents(root, target.rel), addedBytes: 0 });
      await fs.mkdir(path.dirname(target.abs), { recursive: true });
      await fs.rename(source.abs, target.abs);
      await syncDir(path.dirname(target.abs));
      if (path.dirname(source.abs) !== path.dirname(target.abs)) await syncDir(path.dirname(source.abs));
      return { from: source.rel, to: target.rel };
    });
  }

  async remove(id: string, relPath: string): Promise<{ path: string }> {
    return this.#serial(id, async () => {
      const target = await this.#resolve(id, relPath);
      requireExisting(target);
      // fs.rm removes symlinks inside a folder without following them.
      await fs.rm(target.abs, { recursive: true });
      await syncDir(path.dirname(target.abs));
      return { path: target.rel };
    });
  }

  async #requireAbsent(id: string): Promise<void> {
    if (await this.exists(id)) {
      throw new StudioError(ErrorCode.AlreadyExists, `A workspace named "${id}" already exists: choose another name or open it.`);
    }
  }

  async #requireWorkspace(id: string): Promise<string> {
    const root = this.dir(id);
    if (!(await this.exists(id))) {
      throw new StudioError(ErrorCode.NotFound, `There is no workspace "${id}": create it first or pick one from the list.`);
    }
    return root;
  }

  async #resolve(id: string, relPath: string, use: 'place' | 'touch' = 'touch'): Promise<InsidePath> {
    const root = await this.#requireWorkspace(id);
    const target = await resolveInside(root, relPath);
    if (use === 'place') refuseInstalledFolder(target.rel);
    const first = target.rel.split('/')[0];
    const name = path.basename(target.rel);
    if (first === studioDirName || name.startsWith(tempFilePrefix)) {
      throw new StudioError(ErrorCode.BadPath, `The path "${target.rel}" is reserved for the studio itself: use another name.`);
    }
    return target;
  }

  #serial<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const result = previous.then(work, work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return result;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function requireExisting(target: InsidePath): NonNullable<InsidePath['stat']> {
  if (target.stat === undefined) {
    throw new StudioError(ErrorCode.NotFound, `"${target.rel}" does not exist: refresh the file list.`);
  }
  return target.stat;
}

function notAFile(rel: string): StudioError {
  return new StudioError(ErrorCode.BadPath, `"${rel}" is a folder, not a file: name a file inside it.`);
}
