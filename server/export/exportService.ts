/**
 * The export requests: compile the workspace afresh, build the package or
 * bundle, keep the exact bytes on disk (see exportStore.ts for how long) and
 * answer with their export id, by which they are downloaded and deployed.
 * The package ID shown is computed from those same bytes. Each reply also
 * carries the handover: the definition to approve (the workspace's own
 * chaincode name, the channel, version and sequence the export names) and,
 * for a bundle, where the peer will dial the chaincode.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ccaasOptionsProblem, type ExportHandover, type ParamsOf, type ResultMap } from '../../protocol/messages.ts';
import { compileWorkspace } from '../compile/compileWorkspace.ts';
import { chaincodeNamespace, exportBudgetBytes, exportRetentionMs, exportSweepIntervalMs, productionChannelName } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { readChaincodeName } from '../session/chaincodeName.ts';
import type { WorkspaceStore } from '../workspace/workspaceStore.ts';
import { ccaasBundle } from './ccaasBundle.ts';
import { compileFailed } from './compileFailed.ts';
import { readGoModuleFiles, vendoredGoPackage } from './goPackage.ts';
import { buildGoWorkspace } from '../golang/goBuild.ts';
import { isGoWorkspace } from '../workspace/workspaceFolder.ts';
import { createExportStore, type ExportRecord } from './exportStore.ts';
import { productionNodePackage } from './productionApp.ts';

/** The export requests, and the exported files they keep. */
export interface Exports {
  fabricPackage(params: ParamsOf<'export/package'>): Promise<ResultMap['export/package']>;
  ccaasBundle(params: ParamsOf<'export/ccaas'>): Promise<ResultMap['export/ccaas']>;
  /** The kept export with this id (any workspace's: callers check `workspace`). */
  find(exportId: string): ExportRecord | undefined;
  /** Deletes every export of a workspace that is being deleted. */
  deleteWorkspace(workspace: string): Promise<void>;
  /** Stops the periodic retention sweep. */
  close(): void;
}

/**
 * The folder of a workspace's exports and the builds made for them; everything
 * in it is deleted with the workspace ({@link Exports.deleteWorkspace}).
 */
export function workspaceExportsDir(dataDir: string, workspace: string): string {
  return path.join(dataDir, 'exports', workspace);
}

/** Options of {@link createExports}; the retention settings default to config. */
export interface ExportsOptions {
  readonly dataDir: string;
  readonly store: WorkspaceStore;
  readonly retentionMs?: number;
  readonly budgetBytes?: number;
}

/** The export service; it sweeps expired exports at start and then periodically, until `close()`. */
export function createExports(options: ExportsOptions): Exports {
  const root = path.join(options.dataDir, 'exports');
  const kept = createExportStore({ root, retentionMs: options.retentionMs ?? exportRetentionMs, budgetBytes: options.budgetBytes ?? exportBudgetBytes });
  const sweep = () => void kept.sweep().catch((err: unknown) => console.error(`Could not delete expired exports: ${String(err)}`));
  sweep();
  const sweeper = setInterval(sweep, exportSweepIntervalMs);
  sweeper.unref();

  async function compiled(workspace: string): Promise<{ buildDir: string; chaincodeName: string }> {
    if (!(await options.store.exists(workspace))) throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}".`);
    const buildDir = path.join(workspaceExportsDir(options.dataDir, workspace), 'build');
    const result = await compileWorkspace(options.store.dir(workspace), buildDir);
    if (!result.ok) throw compileFailed(result.diagnostics, 'export');
    return { buildDir, chaincodeName: await readChaincodeName(options.store.dir(workspace), workspace) };
  }

  async function nodePackage(workspace: string, label: string) {
    const { buildDir } = await compiled(workspace);
    return productionNodePackage({ label, buildDir, sourceDir: options.store.dir(workspace) });
  }

  /** A Go module is built once (optimised, as the peer's builder will) so that a compile error stops the export. */
  async function goBuilt(workspace: string): Promise<{ buildDir: string; chaincodeName: string }> {
    if (!(await options.store.exists(workspace))) throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}".`);
    const exportsDir = workspaceExportsDir(options.dataDir, workspace);
    const buildDir = path.join(exportsDir, 'go-build');
    const result = await buildGoWorkspace({ workspaceDir: options.store.dir(workspace), outDir: buildDir, stagingDir: path.join(exportsDir, 'go-src'), optimised: true });
    if (!result.ok) throw compileFailed(result.diagnostics, 'export');
    return { buildDir, chaincodeName: await readChaincodeName(options.store.dir(workspace), workspace) };
  }

  /** A Go module's `golang` package, from its sources with their dependencies vendored. */
  async function goPackage(workspace: string, label: string) {
    await goBuilt(workspace);
    const exportsDir = workspaceExportsDir(options.dataDir, workspace);
    return vendoredGoPackage({ label, stagingDir: path.join(exportsDir, 'go-src'), workDir: exportsDir });
  }

  async function keep(workspace: string, fileName: string, bytes: Buffer) {
    const record = await kept.keep(workspace, fileName, bytes);
    return { fileName, exportId: record.exportId, sizeBytes: bytes.length, sha256: sha256(bytes) };
  }

  return {
    async fabricPackage({ workspace, label, channel, version, sequence }) {
      const built = (await isGoWorkspace(options.store.dir(workspace))) ? await goPackage(workspace, label) : await nodePackage(workspace, label);
      const chaincodeName = await readChaincodeName(options.store.dir(workspace), workspace);
      const fileName = `${label}.tar.gz`;
      const handover: ExportHandover = {
        chaincodeName,
        ...definition({ channel, version, sequence }),
        packageFileName: fileName,
        packageSha256: sha256(built.bytes),
      };
      return { ...(await keep(workspace, fileName, built.bytes)), packageId: built.packageId, label, handover };
    },

    async ccaasBundle({ workspace, label, namespace, address, tlsRequired, rootCert, channel, version, sequence, baseImage, image, mspId }) {
      const problem = ccaasOptionsProblem({ tlsRequired, rootCert });
      if (problem) throw new StudioError(ErrorCode.InvalidParams, problem);
      const go = await isGoWorkspace(options.store.dir(workspace));
      const { buildDir, chaincodeName } = go ? await goBuilt(workspace) : await compiled(workspace);
      const defined = definition({ channel, version, sequence });
      const imageRef = image ?? `${chaincodeName}-chaincode:${defined.version}`;
      const bundle = await ccaasBundle({
        chaincodeName,
        label,
        ...defined,
        buildDir,
        sourceDir: options.store.dir(workspace),
        image: imageRef,
        namespace: namespace ?? chaincodeNamespace,
        ...(address ? { address } : {}),
        ...(tlsRequired ? { tlsRequired, ...(rootCert ? { rootCert } : {}) } : {}),
        ...(baseImage ? { baseImage } : {}),
        ...(mspId ? { mspId } : {}),
        ...(go ? { goModule: await readGoModuleFiles(options.store.dir(workspace)) } : {}),
      });
      const handover: ExportHandover = {
        chaincodeName,
        ...defined,
        packageFileName: `${label}.tar.gz`,
        packageSha256: sha256(bundle.package.bytes),
        namespace: namespace ?? chaincodeNamespace,
        address: bundle.address,
        tlsRequired: tlsRequired === true,
        image: imageRef,
      };
      return { ...(await keep(workspace, bundle.fileName, bundle.bytes)), packageId: bundle.package.packageId, label, handover };
    },

    find: (exportId) => kept.find(exportId),
    deleteWorkspace: (workspace) => kept.deleteWorkspace(workspace),
    close: () => clearInterval(sweeper),
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The definition an export is to be approved as: what the export names, else the first definition on the usual channel. */
function definition(named: { channel?: string | undefined; version?: string | undefined; sequence?: number | undefined }): { channel: string; version: string; sequence: number } {
  return { channel: named.channel ?? productionChannelName, version: named.version ?? '1.0', sequence: named.sequence ?? 1 };
}
