import { z } from 'zod';
import { ErrorCode } from '../../../protocol/errors.ts';
import { importUploadPath, ImportSkipped, workspaceZipPath, type ImportArchiveKind, type ParamsOf, type ResultOf, type WorkspaceSettings } from '../../../protocol/messages.ts';
import { archiveKindOf, selectFolderFiles, zipFolder, type FolderFile } from '../import/folderFiles.ts';
import { starterFiles, type StarterLanguage } from '../import/starterProject.ts';
import { archiveProblem, uploadSizeProblem, type UploadProblem } from '../import/uploadLimits.ts';
import { RpcError } from '../rpc/rpcError.ts';
import type { StudioDeps } from './deps.ts';
import type { WorkspaceController } from './workspaceController.ts';

/** What an import wrote, and everything left out (by the browser, unread, and by the server). */
export interface ImportOutcome {
  readonly workspace: string;
  readonly imported: number;
  readonly skipped: ImportSkipped[];
}

/** New workspaces from the user's own project or an empty one, and the project settings shown before Run. */
export interface ImportController {
  /** Imports a picked or dropped folder as workspace `name` and opens it; throws an RpcError naming what was refused. */
  importFolder(name: string, files: readonly FolderFile[]): Promise<ImportOutcome>;
  /** Imports a .zip or .tar.gz as workspace `name` and opens it; throws an RpcError naming what was refused. */
  importArchive(name: string, archive: File): Promise<ImportOutcome>;
  /** Creates workspace `name` as an empty project in `language` and opens it. */
  createEmpty(name: string, language: StarterLanguage): Promise<void>;
  settings(workspace: string): Promise<WorkspaceSettings>;
  /** Writes the chaincode name into the workspace's studio.json; it applies from the next Run. */
  setChaincodeName(workspace: string, chaincodeName: string): Promise<WorkspaceSettings>;
  /** The network settings of studio.json, their problems, and the files that look like a collections config. */
  network(workspace: string): Promise<ResultOf<'workspace/network'>>;
  /** Writes the network settings into studio.json; refused (nothing written) with each bad field named. */
  setNetwork(workspace: string, network: ParamsOf<'workspace/setNetwork'>['network']): Promise<ResultOf<'workspace/setNetwork'>>;
  /** The link that downloads the workspace's sources as a .zip. */
  zipHref(workspace: string): string;
}

/** The upload route's answer: `{ result }` or `{ error }`, read as untrusted JSON. */
const UploadAnswer = z.union([
  z.object({ result: z.object({ workspace: z.string(), imported: z.number(), skipped: z.array(ImportSkipped) }) }),
  z.object({ error: z.object({ code: z.enum(ErrorCode), message: z.string(), data: z.unknown().optional() }) }),
]);

function refused(problem: UploadProblem): RpcError {
  return new RpcError(problem.code, problem.message);
}

/** Creates the import controller; `workspaces` refreshes the list and opens what was created. */
export function createImportController(deps: StudioDeps, workspaces: WorkspaceController): ImportController {
  const { rpc } = deps;

  const upload = async (name: string, kind: ImportArchiveKind, body: Blob): Promise<ImportOutcome> => {
    let res: Response;
    try {
      res = await fetch(deps.downloadHref(importUploadPath(name, kind)), { method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream' } });
    } catch (err) {
      throw new RpcError('connection_lost', `The upload did not reach the server: ${err instanceof Error ? err.message : String(err)}`);
    }
    const parsed = UploadAnswer.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new RpcError(ErrorCode.Internal, `The server answered the upload with ${res.status} ${res.statusText} and no usable reply.`);
    if ('error' in parsed.data) throw new RpcError(parsed.data.error.code, parsed.data.error.message, parsed.data.error.data);
    return parsed.data.result;
  };

  const opened = async (outcome: ImportOutcome): Promise<ImportOutcome> => {
    await workspaces.refreshLists();
    await workspaces.open(outcome.workspace);
    return outcome;
  };

  return {
    async importFolder(name, files) {
      const selection = selectFolderFiles(files);
      if (selection.files.length === 0) {
        throw new RpcError(ErrorCode.BadFile, 'Nothing to import: the folder holds no file the import keeps (see the list).', { skipped: selection.skipped });
      }
      const zip = await zipFolder(selection.files);
      const tooLarge = uploadSizeProblem('The folder, zipped,', zip.byteLength);
      if (tooLarge !== null) throw refused(tooLarge);
      const outcome = await upload(name, 'zip', new Blob([new Uint8Array(zip)], { type: 'application/zip' }));
      return opened({ ...outcome, skipped: [...selection.skipped, ...outcome.skipped] });
    },

    async importArchive(name, archive) {
      const problem = archiveProblem(archive);
      const kind = archiveKindOf(archive.name);
      if (problem !== null || kind === undefined) throw refused(problem ?? { code: ErrorCode.BadFile, message: `"${archive.name}" is not an archive.` });
      return opened(await upload(name, kind, archive));
    },

    async createEmpty(name, language) {
      await rpc.request('workspace/import', { name, files: starterFiles(name, language) });
      await workspaces.refreshLists();
      await workspaces.open(name);
    },

    settings: (workspace) => rpc.request('workspace/settings', { workspace }),

    async setChaincodeName(workspace, chaincodeName) {
      const { chaincodeName: saved, source } = await rpc.request('workspace/setChaincodeName', { workspace, chaincodeName });
      return { chaincodeName: saved, source };
    },

    network: (workspace) => rpc.request('workspace/network', { workspace }),
    setNetwork: (workspace, network) => rpc.request('workspace/setNetwork', { workspace, network }),

    zipHref: (workspace) => deps.downloadHref(workspaceZipPath(workspace)),
  };
}
