/**
 * The `deploy` request: find the package (a file this workspace exported, or
 * the workspace packaged now), deploy it with {@link deployChaincode}, and
 * report each step as it starts and ends.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ParamsOf, ResultMap } from '../../protocol/messages.ts';
import { compileWorkspace } from '../compile/compileWorkspace.ts';
import { deployAllowList, deployAllowsWorkspaceTokens } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { ccaasPackage } from '../export/chaincodePackage.ts';
import { compileFailed } from '../export/compileFailed.ts';
import { workspaceExportsDir } from '../export/exportService.ts';
import type { ExportRecord } from '../export/exportStore.ts';
import { productionNodePackage } from '../export/productionApp.ts';
import { readTarGz } from '../export/tarReader.ts';
import type { TokenScope } from '../http/tokenScope.ts';
import type { WorkspaceStore } from '../workspace/workspaceStore.ts';
import { deployChaincode } from './deployChaincode.ts';
import { createEndpointPolicy, type HostResolver } from './endpointPolicy.ts';

/** Reports a step: `step` is `deploy:<cli step>`. */
export type DeployProgress = (step: string, message: string) => void;

/** Who asks for a deploy, and where its steps are reported. */
export interface DeployCaller {
  /** The scope of the caller's token. */
  readonly scope: TokenScope;
  readonly progress: DeployProgress;
}

/** The `deploy` request. */
export interface Deployments {
  deploy(params: ParamsOf<'deploy'>, caller: DeployCaller): Promise<ResultMap['deploy']>;
}

/** Options of {@link createDeployments}; the policy settings default to config. */
export interface DeploymentsOptions {
  readonly dataDir: string;
  readonly store: WorkspaceStore;
  /** Finds a kept export by id. */
  readonly exports: (exportId: string) => ExportRecord | undefined;
  /** STUDIO_DEPLOY_WORKSPACE_TOKENS: whether a workspace token may deploy. */
  readonly allowWorkspaceTokens?: boolean;
  /** STUDIO_DEPLOY_ALLOW: endpoints a deploy may reach although their addresses are private. */
  readonly allow?: string;
  /** Host name resolution; defaults to the system resolver. */
  readonly resolve?: HostResolver;
  /** Overrides config.peerCliConnectTimeoutMs. */
  readonly connectTimeoutMs?: number;
}

/** The deploy service: checks the caller and the endpoints, finds or builds the package, then runs the peer CLI steps. */
export function createDeployments(options: DeploymentsOptions): Deployments {
  const allowWorkspaceTokens = options.allowWorkspaceTokens ?? deployAllowsWorkspaceTokens;
  const policy = createEndpointPolicy({ allow: options.allow ?? deployAllowList, ...(options.resolve ? { resolve: options.resolve } : {}) });

  async function fromExport(workspace: string, exportId: string): Promise<Uint8Array> {
    const file = options.exports(exportId);
    // A workspace deploys only its own exports.
    if (file?.workspace !== workspace) throw new StudioError(ErrorCode.NotFound, `There is no export ${exportId} of workspace ${workspace}; export the chaincode again.`);
    return packageFromExport(await readFile(file.filePath));
  }

  async function fromWorkspace(params: Extract<ParamsOf<'deploy'>['package'], { from: 'workspace' }>, workspace: string): Promise<Uint8Array> {
    if (params.type === 'ccaas') {
      if (!params.address) throw new StudioError(ErrorCode.Export, 'A ccaas package needs the address (host:port) where the peer reaches the chaincode server.');
      return ccaasPackage({ label: params.label, address: params.address }).bytes;
    }
    if (!(await options.store.exists(workspace))) throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}".`);
    // Beside the workspace's exports, so it goes when the workspace does.
    const buildDir = path.join(workspaceExportsDir(options.dataDir, workspace), 'deploy-build');
    const compiled = await compileWorkspace(options.store.dir(workspace), buildDir);
    if (!compiled.ok) throw compileFailed(compiled.diagnostics, 'deploy');
    return (await productionNodePackage({ label: params.label, buildDir })).bytes;
  }

  return {
    async deploy(params, { scope, progress }) {
      if (scope.kind !== 'main' && !allowWorkspaceTokens) {
        throw new StudioError(
          ErrorCode.Forbidden,
          'Deploying to a network needs the main token (the one the server printed at start), not a workspace token. ' +
            'An administrator can allow workspace tokens with STUDIO_DEPLOY_WORKSPACE_TOKENS=1.',
        );
      }
      const connection = {
        ...params.connection,
        peer: await policy.pin(params.connection.peer, 'peer'),
        orderer: await policy.pin(params.connection.orderer, 'orderer'),
      };
      progress('deploy:package', 'Preparing the package');
      const bytes = params.package.from === 'export' ? await fromExport(params.workspace, params.package.exportId) : await fromWorkspace(params.package, params.workspace);
      const result = await deployChaincode({
        connection,
        chaincode: params.chaincode,
        package: bytes,
        ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
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
