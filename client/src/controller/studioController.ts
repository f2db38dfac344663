import type { StudioDeps } from './deps.ts';
import { createDebugController } from './debugController.ts';
import type { DebugController } from './debugController.ts';
import { createDependencyTypesLoader } from './dependencyTypesLoader.ts';
import { createFileModels } from './fileModels.ts';
import type { FileModels } from './fileModels.ts';
import { createImportController } from './importController.ts';
import type { ImportController } from './importController.ts';
import { createInvokeController } from './invokeController.ts';
import { createLedgerController } from './ledgerController.ts';
import type { LedgerController } from './ledgerController.ts';
import type { InvokeController } from './invokeController.ts';
import { createWorkspaceController } from './workspaceController.ts';
import type { WorkspaceController } from './workspaceController.ts';

/** Everything the components can ask for; the state itself is read from the store. */
export interface StudioController {
  readonly deps: StudioDeps;
  readonly files: FileModels;
  readonly workspace: WorkspaceController;
  readonly debug: DebugController;
  readonly invokes: InvokeController;
  readonly imports: ImportController;
  readonly ledger: LedgerController;
  /**
   * Wires notifications and the connection to the store, and opens
   * `initialWorkspace` (from the page URL) or else the last workspace.
   */
  start(initialWorkspace?: string | null): () => void;
}

/** Creates the controller over the shared deps. */
export function createStudioController(deps: StudioDeps): StudioController {
  const files = createFileModels(deps);
  const debug = createDebugController(deps, files);
  const workspace = createWorkspaceController(deps, files, debug);
  const invokes = createInvokeController(deps);
  const dependencyTypes = createDependencyTypesLoader(deps);
  const imports = createImportController(deps, workspace);
  const ledger = createLedgerController(deps);
  const { rpc, store, prefs } = deps;

  return {
    deps,
    files,
    workspace,
    debug,
    invokes,
    imports,
    ledger,
    start(initialWorkspace) {
      store.dispatch({ type: 'connection', state: rpc.state });
      const offs = [
        rpc.onStateChange((state) => store.dispatch({ type: 'connection', state })),
        rpc.onOpen(({ reconnect }) => {
          void workspace.refreshLists();
          const open = store.getState().workspace;
          // Re-subscribe: the server ties notifications to the workspace opened on this connection.
          if (reconnect && open) void workspace.open(open, true);
        }),
        workspace.listen(),
        debug.listen(),
        dependencyTypes.listen(),
        ledger.listen(),
        store.subscribe(rememberTabs(deps)),
      ];
      const last = initialWorkspace ?? prefs.lastWorkspace();
      if (last) void workspace.open(last);
      const flush = (): void => files.flushUnsaved();
      window.addEventListener('pagehide', flush);
      return () => {
        offs.forEach((off) => off());
        window.removeEventListener('pagehide', flush);
      };
    },
  };
}

/** Keeps the open tabs of the workspace in prefs, so a reload shows the same files. */
function rememberTabs(deps: StudioDeps): () => void {
  let lastTabs: unknown;
  let lastActive: unknown;
  return () => {
    const { workspace, tabs, activeTab } = deps.store.getState();
    if (!workspace || (tabs === lastTabs && activeTab === lastActive)) return;
    lastTabs = tabs;
    lastActive = activeTab;
    deps.prefs.setOpenTabs(
      workspace,
      tabs.map((t) => t.path),
      activeTab,
    );
  };
}
