/**
 * The export requests: compile the workspace afresh, build the package or
 * bundle, keep the exact bytes on disk and hand the browser a download link.
 * The package ID shown is computed from those same bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ParamsOf, ResultMap } from '../../protocol/messages.ts';
import { compileWorkspace } from '../compile/compileWorkspace.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { downloadPath, type DownloadFile } from '../http/downloadRoute.ts';
import type { SandboxManager } from '../sandbox/sandboxManager.ts';
import { chaincodeNameOf } from '../session/workspaceSession.ts';
import type { WorkspaceStore } from '../workspace/workspaceStore.ts';
import { ccaasBundle } from './ccaasBundle.ts';
import { productionNodePackage } from './productionApp.ts';

export interface Exports {
  fabricPackage(params: ParamsOf<'export/package'>): Promise<ResultMap['export/package']>;
  ccaasBundle(params: ParamsOf<'export/ccaas'>): Promise<ResultMap['export/ccaas']>;
  download(id: string): DownloadFile | undefined;
}

export function createExports(options: { dataDir: string; store: WorkspaceStore; sandboxes: SandboxManager }): Exports {
  const root = path.join(options.dataDir, 'exports');
  const downloads = new Map<string, DownloadFile>();

  async function compiled(workspace: string): Promise<{ buildDir: string; chaincodeName: string }> {
    if (!(await options.store.exists(workspace))) throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}".`);
    const buildDir = path.join(root, workspace, 'build');
    const result = await compileWorkspace(options.store.dir(workspace), buildDir);
    if (!result.ok) {
      throw new StudioError(ErrorCode.CompileFailed, 'The chaincode does not compile; fix the problems listed and export again.', { data: { diagnostics: result.diagnostics } });
    }
    const pkg = JSON.parse(await fs.readFile(path.join(buildDir, 'package.json'), 'utf8')) as { name?: unknown };
    return { buildDir, chaincodeName: chaincodeNameOf(pkg.name, workspace) };
  }

  async function keep(workspace: string, fileName: string, bytes: Buffer) {
    const id = `${workspace}-${randomBytes(8).toString('hex')}`;
    const dir = path.join(root, workspace, 'files');
    await fs.mkdir(dir, { recursive: true });
    const filePath = path.join(dir, `${id}.tar.gz`);
    await fs.writeFile(filePath, bytes);
    downloads.set(id, { filePath, fileName });
    return { fileName, downloadUrl: downloadPath(id), sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  return {
    async fabricPackage({ workspace, label }) {
      const { buildDir } = await compiled(workspace);
      const built = await productionNodePackage({ label, buildDir });
      return { ...(await keep(workspace, `${label}.tar.gz`, built.bytes)), packageId: built.packageId, label };
    },

    async ccaasBundle({ workspace, label, namespace, baseImage, image }) {
      const { buildDir, chaincodeName } = await compiled(workspace);
      const bundle = await ccaasBundle({
        chaincodeName,
        label,
        version: '1.0',
        sequence: 1,
        buildDir,
        image: image ?? `${chaincodeName}-chaincode:1.0`,
        ...(namespace ? { namespace } : {}),
        ...(baseImage ? { baseImage } : {}),
      });
      return { ...(await keep(workspace, bundle.fileName, bundle.bytes)), packageId: bundle.package.packageId, label };
    },

    download: (id) => downloads.get(id),
  };
}
