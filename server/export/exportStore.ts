/**
 * The exported files kept on disk for download and deploy, under
 * `<root>/<workspace>/files/<exportId>.tar.gz`, and their retention: an
 * export lives `retentionMs` at most, goes with its workspace, and when all
 * of them together use more than `budgetBytes`, the oldest go first.
 *
 * The disk is the truth: a sweep lists the files there, so files an earlier
 * server process kept (whose ids it no longer knows) are cleaned up too.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WorkspaceId } from '../../protocol/messages.ts';

/** One kept export. */
export interface ExportRecord {
  readonly exportId: string;
  /** The workspace it was exported from: only this workspace may download or deploy it. */
  readonly workspace: string;
  /** Absolute path of the file. */
  readonly filePath: string;
  /** The name the browser saves it as. */
  readonly fileName: string;
}

/** Options of {@link createExportStore}. */
export interface ExportStoreOptions {
  /** The folder that holds one folder per workspace. */
  readonly root: string;
  readonly retentionMs: number;
  readonly budgetBytes: number;
  /** The clock; defaults to `Date.now`. */
  readonly now?: () => number;
}

/** Kept exports on disk, with their retention. */
export interface ExportStore {
  /** Writes `bytes` as a new export of `workspace`, then applies retention (never to this export). */
  keep(workspace: string, fileName: string, bytes: Uint8Array): Promise<ExportRecord>;
  /** The export with this id, while it is kept. */
  find(exportId: string): ExportRecord | undefined;
  /** Deletes every export of `workspace` (and anything else kept under its folder). */
  deleteWorkspace(workspace: string): Promise<void>;
  /** Deletes expired exports, then the oldest ones while the total is over the budget. */
  sweep(): Promise<void>;
}

interface FileOnDisk {
  readonly exportId: string;
  readonly filePath: string;
  readonly modifiedMs: number;
  readonly sizeBytes: number;
}

const suffix = '.tar.gz';

/** A store of exports under `options.root`; nothing runs until it is asked (see `ExportsOptions` for the periodic sweep). */
export function createExportStore(options: ExportStoreOptions): ExportStore {
  const now = options.now ?? Date.now;
  const records = new Map<string, ExportRecord>();
  // One change to the folder at a time: a sweep must not delete a file while it is being written.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };

  const workspaceDir = (workspace: string): string => {
    if (!WorkspaceId.safeParse(workspace).success) throw new Error(`not a workspace id: ${JSON.stringify(workspace)}`);
    return path.join(options.root, workspace);
  };

  async function filesOnDisk(): Promise<FileOnDisk[]> {
    const found: FileOnDisk[] = [];
    const workspaces = await fs.readdir(options.root).catch(() => [] as string[]);
    for (const workspace of workspaces) {
      const dir = path.join(options.root, workspace, 'files');
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const filePath = path.join(dir, name);
        const stats = await fs.stat(filePath).catch(() => undefined);
        if (!stats?.isFile()) continue;
        found.push({ exportId: name.endsWith(suffix) ? name.slice(0, -suffix.length) : name, filePath, modifiedMs: stats.mtimeMs, sizeBytes: stats.size });
      }
    }
    return found;
  }

  async function remove(file: FileOnDisk): Promise<void> {
    records.delete(file.exportId);
    await fs.rm(file.filePath, { force: true });
  }

  async function sweep(spare?: string): Promise<void> {
    const files = (await filesOnDisk()).sort((a, b) => a.modifiedMs - b.modifiedMs);
    const expiredBefore = now() - options.retentionMs;
    let total = files.reduce((sum, file) => sum + file.sizeBytes, 0);
    for (const file of files) {
      if (file.exportId === spare) continue;
      if (file.modifiedMs < expiredBefore || total > options.budgetBytes) {
        await remove(file);
        total -= file.sizeBytes;
      }
    }
    const onDisk = new Set(files.map((file) => file.exportId));
    for (const exportId of records.keys()) if (!onDisk.has(exportId)) records.delete(exportId);
  }

  return {
    keep: (workspace, fileName, bytes) =>
      serial(async () => {
        const exportId = `${workspace}-${randomBytes(8).toString('hex')}`;
        const dir = path.join(workspaceDir(workspace), 'files');
        await fs.mkdir(dir, { recursive: true });
        const filePath = path.join(dir, `${exportId}${suffix}`);
        await fs.writeFile(filePath, bytes);
        const record: ExportRecord = { exportId, workspace, filePath, fileName };
        records.set(exportId, record);
        await sweep(exportId);
        return record;
      }),
    find: (exportId) => records.get(exportId),
    deleteWorkspace: (workspace) =>
      serial(async () => {
        const dir = workspaceDir(workspace);
        for (const [exportId, record] of records) if (record.workspace === workspace) records.delete(exportId);
        await fs.rm(dir, { recursive: true, force: true });
      }),
    sweep: () => serial(() => sweep()),
  };
}
