import { errorDataOf } from '../../../protocol/errorData.ts';
import { ErrorCode } from '../../../protocol/errors.ts';
import { downloadPath, type CcaasOptions, type ResultOf, type WorkspaceSettings } from '../../../protocol/messages.ts';
import { describeError, RpcError } from '../rpc/rpcError.ts';
import { currentWorkspace, reportError } from './deps.ts';
import type { StudioDeps } from './deps.ts';
import type { DebugController } from './debugController.ts';
import type { FileModels } from './fileModels.ts';

/** Workspaces, files and the sandbox: what the toolbar and the file tree ask for. */
export interface WorkspaceController {
  refreshLists(): Promise<void>;
  /** Creates a workspace from a sample and opens it; a refusal comes back (to show beside the name), not as a notice. */
  create(name: string, sample: string): Promise<CreateOutcome>;
  /** Opens a workspace; `reopen` keeps the tabs and models (after a reconnect). */
  open(workspace: string, reopen?: boolean): Promise<void>;
  run(): Promise<void>;
  stopChaincode(): Promise<void>;
  /** Stops a workspace's sandbox (default: the open one), keeping its files and ledger; it frees a running-sandbox slot. */
  stopSandbox(workspace?: string): Promise<void>;
  /** Removes the open workspace's sandbox with its ledger; the next Run starts a fresh one. */
  resetLedger(): Promise<void>;
  /** Deletes the open workspace: files, sandbox, ledger and exports. */
  deleteWorkspace(): Promise<void>;
  setRestartOnSave(value: boolean): void;
  /** Saves a file; with restart-on-save, the server restarts the chaincode. */
  save(path: string): Promise<void>;
  createPath(path: string, kind: 'file' | 'dir'): Promise<void>;
  renamePath(from: string, to: string): Promise<void>;
  deletePath(path: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  /**
   * Builds a Fabric chaincode package (`package`) or a chaincode-as-a-service
   * bundle (`ccaas`) of the open workspace, with the link that downloads it;
   * throws an RpcError when the server refuses (a compile failure also fills Problems).
   */
  exportPackage(kind: 'package' | 'ccaas', label: string, options?: CcaasOptions): Promise<ExportedPackage>;
  /** The open workspace's chaincode name and where it comes from. */
  settings(): Promise<WorkspaceSettings>;
  /** Handles workspace notifications; returns the unsubscribe function. */
  listen(): () => void;
}

/** How a create ended: a refusal carries the server's code and words. */
export type CreateOutcome = { ok: true } | { ok: false; code: string; message: string };

/** An export, and the same-origin link (with the token) that downloads it. */
export type ExportedPackage = ResultOf<'export/package'> & { readonly downloadUrl: string };

/** Creates the workspace controller. */
export function createWorkspaceController(deps: StudioDeps, files: FileModels, debug: DebugController): WorkspaceController {
  const { rpc, store, prefs } = deps;

  /** Shows the diagnostics of a `compile_failed` error in Problems; other errors are left to the caller. */
  const showCompileFailure = (err: unknown): void => {
    const failed = err instanceof RpcError ? errorDataOf(ErrorCode.CompileFailed, err) : undefined;
    if (!failed) return;
    files.showDiagnostics(failed.diagnostics);
    store.dispatch({ type: 'bottomTab', tab: 'problems' });
  };

  const refreshFiles = async (): Promise<void> => {
    const workspace = store.getState().workspace;
    if (!workspace) return;
    try {
      const reply = await rpc.request('file/list', { workspace });
      if (store.getState().workspace === workspace) store.dispatch({ type: 'files', files: reply.files });
    } catch (err) {
      reportError(store, 'Could not list files', err);
    }
  };

  const controller: WorkspaceController = {
    async refreshLists() {
      try {
        const [samples, workspaces] = await Promise.all([rpc.request('sample/list', {}), rpc.request('workspace/list', {})]);
        store.dispatch({ type: 'samples', samples: samples.samples });
        store.dispatch({ type: 'workspaces', workspaces: workspaces.workspaces });
      } catch (err) {
        reportError(store, 'Could not list workspaces', err);
      }
    },

    async create(name, sample) {
      let created: string;
      try {
        created = (await rpc.request('workspace/create', { name, sample })).workspace;
      } catch (err) {
        return { ok: false, ...describeError(err) };
      }
      await controller.refreshLists();
      await controller.open(created);
      return { ok: true };
    },

    async open(workspace, reopen = false) {
      const switching = store.getState().workspace !== workspace;
      try {
        const result = await rpc.request('workspace/open', { workspace });
        const lastTabs = prefs.openTabs(workspace);
        if (switching) files.clear();
        store.dispatch({ type: 'workspaceOpened', result });
        if (switching) {
          store.dispatch({ type: 'watches', watches: prefs.watches(workspace) });
          store.dispatch({ type: 'invokesRestored', invokes: prefs.invokes(workspace) });
          prefs.setLastWorkspace(workspace);
        }
        files.showDiagnostics(result.diagnostics);
        const history = rpc.request('logs/history', { workspace }).then(
          (reply) => store.dispatch({ type: 'logsReplaced', lines: reply.lines }),
          (err: unknown) => reportError(store, 'Could not load the log history', err),
        );
        if (switching || !reopen) await files.load(result.files, lastTabs);
        // A transaction paused before this tab opened (a reload, a second tab): show where.
        debug.showPause();
        await history;
        if (result.status.chaincode === 'running') await controller.refreshMetadata();
      } catch (err) {
        reportError(store, `Could not open workspace ${workspace}`, err);
        if (err instanceof RpcError && err.code === 'not_found') prefs.setLastWorkspace(null);
      }
    },

    async run() {
      const workspace = currentWorkspace(store);
      store.dispatch({ type: 'busy', busy: 'run' });
      store.dispatch({ type: 'runBlocked', blocked: null });
      try {
        await files.saveAll();
        await debug.syncAllBreakpoints();
        const reply = await rpc.request('run', { workspace, restartOnSave: store.getState().restartOnSave });
        files.showDiagnostics(reply.diagnostics);
        store.dispatch({ type: 'status', status: reply.status });
        if (reply.metadata) store.dispatch({ type: 'metadata', metadata: reply.metadata });
        if (!reply.ok) {
          store.dispatch({ type: 'bottomTab', tab: 'problems' });
          // Not "did not start" when the old build runs on: the status and the Transaction panel say which build answers.
          const text = reply.status.previousBuild
            ? 'The change did not compile (see Problems); the previous build keeps running and answering.'
            : 'The chaincode did not compile: see Problems.';
          store.dispatch({ type: 'notice', kind: 'error', text });
        }
      } catch (err) {
        showCompileFailure(err);
        if (err instanceof RpcError && err.code === ErrorCode.Limit) {
          // Shown where Run is, with the action that frees a slot, for as long as it holds.
          store.dispatch({ type: 'runBlocked', blocked: { message: err.message, limit: errorDataOf(ErrorCode.Limit, err) ?? null } });
        } else reportError(store, 'Run failed', err);
      } finally {
        store.dispatch({ type: 'busy', busy: null });
      }
    },

    async stopChaincode() {
      store.dispatch({ type: 'busy', busy: 'stop' });
      try {
        const status = await rpc.request('chaincode/stop', { workspace: currentWorkspace(store) });
        store.dispatch({ type: 'status', status });
      } catch (err) {
        reportError(store, 'Stop failed', err);
      } finally {
        store.dispatch({ type: 'busy', busy: null });
      }
    },

    async stopSandbox(workspace) {
      const target = workspace ?? currentWorkspace(store);
      store.dispatch({ type: 'busy', busy: 'sandbox' });
      try {
        const status = await rpc.request('sandbox/stop', { workspace: target });
        store.dispatch({ type: 'status', status });
        const blocked = store.getState().runBlocked;
        if (blocked?.limit?.running.includes(target)) {
          const running = blocked.limit.running.filter((w) => w !== target);
          store.dispatch({ type: 'runBlocked', blocked: { ...blocked, freed: true, limit: { ...blocked.limit, running } } });
        }
        if (target !== store.getState().workspace) store.dispatch({ type: 'notice', kind: 'info', text: `Stopped the sandbox of ${target}; its files and ledger are kept.` });
      } catch (err) {
        reportError(store, `Could not stop the sandbox of ${target}`, err);
      } finally {
        store.dispatch({ type: 'busy', busy: null });
      }
    },

    async resetLedger() {
      const workspace = currentWorkspace(store);
      store.dispatch({ type: 'busy', busy: 'sandbox' });
      try {
        const status = await rpc.request('sandbox/destroy', { workspace });
        store.dispatch({ type: 'status', status });
        store.dispatch({ type: 'notice', kind: 'info', text: 'The sandbox and its ledger are gone. Press Run to start a fresh one.' });
      } catch (err) {
        reportError(store, 'Could not reset the ledger', err);
      } finally {
        store.dispatch({ type: 'busy', busy: null });
      }
    },

    async deleteWorkspace() {
      const workspace = currentWorkspace(store);
      store.dispatch({ type: 'busy', busy: 'sandbox' });
      try {
        await rpc.request('workspace/delete', { workspace });
        files.clear();
        prefs.setLastWorkspace(null);
        store.dispatch({ type: 'workspaceClosed' });
        await controller.refreshLists();
        store.dispatch({ type: 'notice', kind: 'info', text: `Deleted the workspace ${workspace}.` });
      } catch (err) {
        reportError(store, `Could not delete ${workspace}`, err);
      } finally {
        store.dispatch({ type: 'busy', busy: null });
      }
    },

    setRestartOnSave(value) {
      store.dispatch({ type: 'restartOnSave', value });
      prefs.setRestartOnSave(value);
    },

    async save(path) {
      await files.save(path);
    },

    async createPath(path, kind) {
      try {
        await rpc.request('file/create', { workspace: currentWorkspace(store), path, kind });
        await refreshFiles();
        if (kind === 'file') await files.open(path);
      } catch (err) {
        reportError(store, `Could not create ${path}`, err);
      }
    },

    async renamePath(from, to) {
      try {
        await rpc.request('file/rename', { workspace: currentWorkspace(store), from, to });
        await files.serverChanged(from, 'renamed', undefined, to);
        await refreshFiles();
      } catch (err) {
        reportError(store, `Could not rename ${from}`, err);
      }
    },

    async deletePath(path) {
      try {
        await rpc.request('file/delete', { workspace: currentWorkspace(store), path });
        await files.serverChanged(path, 'deleted');
        await refreshFiles();
      } catch (err) {
        reportError(store, `Could not delete ${path}`, err);
      }
    },

    async refreshMetadata() {
      try {
        const metadata = await rpc.request('chaincode/metadata', { workspace: currentWorkspace(store) });
        store.dispatch({ type: 'metadata', metadata });
      } catch (err) {
        reportError(store, 'Could not read the contract metadata', err);
      }
    },

    async exportPackage(kind, label, options = {}) {
      const workspace = currentWorkspace(store);
      try {
        const { channel, version, sequence } = options;
        const definition = { ...(channel ? { channel } : {}), ...(version ? { version } : {}), ...(sequence ? { sequence } : {}) };
        const reply =
          kind === 'package'
            ? await rpc.request('export/package', { workspace, label, ...definition })
            : await rpc.request('export/ccaas', { workspace, label, ...options });
        return { ...reply, downloadUrl: deps.downloadHref(downloadPath(reply.exportId)) };
      } catch (err) {
        showCompileFailure(err);
        throw err;
      }
    },

    settings: () => rpc.request('workspace/settings', { workspace: currentWorkspace(store) }),

    listen() {
      const ours = <T extends { workspace: string }>(handler: (p: T) => void) => (p: T) => {
        if (p.workspace === store.getState().workspace) handler(p);
      };
      const offs = [
        rpc.on('sandbox/status', ours((status) => store.dispatch({ type: 'status', status }))),
        rpc.on('sandbox/progress', ours(({ step, message, percent }) => store.dispatch({ type: 'progress', progress: { step, message, percent } }))),
        rpc.on('log', ours((p) => store.dispatch({ type: 'logs', lines: p.lines }))),
        rpc.on('diagnostics', ours((p) => files.showDiagnostics(p.diagnostics))),
        rpc.on('chaincode/metadata', ours((p) => store.dispatch({ type: 'metadata', metadata: p.metadata }))),
        rpc.on(
          'file/changed',
          ours((p) => {
            void files.serverChanged(p.path, p.change, p.version, p.to).catch((err: unknown) => reportError(store, `Could not reload ${p.path}`, err));
            if (p.change !== 'written') void refreshFiles();
          }),
        ),
      ];
      return () => offs.forEach((off) => off());
    },
  };
  return controller;
}
