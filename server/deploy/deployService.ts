/**
 * The `deploy` request: find the package (a file this workspace exported, or
 * the workspace packaged now), deploy it with {@link deployChaincode}, and
 * report each step as it starts and ends.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ParamsOf, ResultMap } from '../../protocol/messages.ts';
import { compileWorkspace } from '../compile/compileWorkspace.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { ccaasPackage } from '../export/chaincodePackage.ts';
import { productionNodePackage } from '../export/productionApp.ts';
import { readTarGz } from '../export/tarReader.ts';
import { downloadPathPrefix, type DownloadResolver } from '../http/downloadRoute.ts';
import type { WorkspaceStore } from '../workspace/workspaceStore.ts';
import { deployChaincode } from './deployChaincode.ts';

/** Reports a step: `step` is `deploy:<cli step>`. */
export type DeployProgress = (step: string, message: string) => void;

export interface Deployments {
  deploy(params: ParamsOf<'deploy'>, progress: DeployProgress): Promise<ResultMap['deploy']>;
}

export function createDeployments(options: { dataDir: string; store: WorkspaceStore; downloads: DownloadResolver }): Deployments {
  async function fromDownload(workspace: string, downloadUrl: string): Promise<Uint8Array> {
    const id = downloadUrl.startsWith(downloadPathPrefix) ? safeDecode(downloadUrl.slice(downloadPathPrefix.length)) : undefined;
    // Export ids start with their workspace: a workspace deploys only its own exports.
    const file = id?.startsWith(`${workspace}-`) ? await options.downloads(id) : undefined;
    if (!file) throw new StudioError(ErrorCode.NotFound, `There is no export ${downloadUrl} of workspace ${workspace}; export the chaincode again.`);
    return packageFromExport(await readFile(file.filePath));
  }

  async function fromWorkspace(params: Extract<ParamsOf<'deploy'>['package'], { from: 'workspace' }>, workspace: string): Promise<Uint8Array> {
    if (params.type === 'ccaas') {
      if (!params.address) throw new StudioError(ErrorCode.Export, 'A ccaas package needs the address (host:port) where the peer reaches the chaincode server.');
      return ccaasPackage({ label: params.label, address: params.address }).bytes;
    }
    if (!(await options.store.exists(workspace))) throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}".`);
    const buildDir = path.join(options.dataDir, 'deploys', workspace, 'build');
    const compiled = await compileWorkspace(options.store.dir(workspace), buildDir);
    if (!compiled.ok) {
      throw new StudioError(ErrorCode.CompileFailed, 'The chaincode does not compile; fix the problems listed and deploy again.', { data: { diagnostics: compiled.diagnostics } });
    }
    return (await productionNodePackage({ label: params.label, buildDir })).bytes;
  }

  return {
    async deploy(params, progress) {
      progress('deploy:package', 'Preparing the package');
      const bytes = params.package.from === 'download' ? await fromDownload(params.workspace, params.package.downloadUrl) : await fromWorkspace(params.package, params.workspace);
      const result = await deployChaincode({
        connection: params.connection,
        chaincode: params.chaincode,
        package: bytes,
        onStep: (step, event) => progress(`deploy:${step}`, event.message),
      });
      return {
        packageId: result.packageId,
        steps: result.steps.map((s) => ({ ...s })),
        committed: { ...result.committed, approvals: { ...result.committed.approvals } },
      };
    },
  };
}

/**
 * The chaincode package in an exported file: the file itself, or, for a ccaas
 * bundle (`<label>/...`), the `<label>/<label>.tar.gz` it carries.
 */
export async function packageFromExport(bytes: Uint8Array): Promise<Uint8Array> {
  let entries;
  try {
    entries = await readTarGz(bytes);
  } catch (err) {
    throw new StudioError(ErrorCode.Export, 'The exported file is not a .tar.gz.', { cause: err });
  }
  if (entries.some((entry) => entry.header.name === 'metadata.json')) return bytes;
  const inner = entries.filter((entry) => {
    const [root, name, ...rest] = entry.header.name.split('/');
    return rest.length === 0 && name === `${root}.tar.gz`;
  });
  if (inner.length !== 1 || !inner[0]) throw new StudioError(ErrorCode.Export, 'The exported file is neither a chaincode package nor a ccaas bundle holding one.');
  return inner[0].content;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
