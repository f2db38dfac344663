/**
 * Keeps the editor's IntelliSense on the open workspace's installed npm
 * packages: asks the server for their declarations (`dependencies/types`)
 * when a workspace opens, after a reconnect, and when a Run installed a new
 * set (`dependencies/installed`), and hands them to Monaco.
 */
import type { DependencyTypes } from '../../../protocol/messages.ts';
import { applyDependencyTypes } from '../monaco/loadMonaco.ts';
import type { StudioDeps } from './deps.ts';

/** Follows the open workspace; `listen()` returns the function that stops it. */
export interface DependencyTypesLoader {
  listen(): () => void;
}

export function createDependencyTypesLoader(deps: StudioDeps): DependencyTypesLoader {
  const { rpc, store } = deps;
  /** The workspace and install key the editor has the declarations of. */
  let shown: { workspace: string | null; key: string | null } = { workspace: null, key: null };
  let told = new Set<string>();

  const refresh = async (workspace: string): Promise<void> => {
    let types: DependencyTypes;
    try {
      types = await rpc.request('dependencies/types', { workspace });
    } catch {
      // IntelliSense goes on with what it has; Run reports any dependency problem.
      return;
    }
    if (store.getState().workspace !== workspace) return;
    shown = { workspace, key: types.key };
    await applyDependencyTypes(types.key === null ? undefined : types);
    const noticeKey = `${workspace}:${types.key ?? ''}`;
    if (types.leftOut.length > 0 && !told.has(noticeKey)) {
      told = new Set([...told, noticeKey]);
      store.dispatch({ type: 'notice', kind: 'info', text: `The editor knows no types of ${types.leftOut.join(', ')}: the declarations of the workspace's packages are over the size limit.` });
    }
  };

  return {
    listen() {
      const offs = [
        store.subscribe(() => {
          const { workspace } = store.getState();
          if (workspace === shown.workspace) return;
          shown = { workspace, key: null };
          if (workspace) void refresh(workspace);
          else void applyDependencyTypes(undefined);
        }),
        rpc.on('dependencies/installed', ({ workspace, key }) => {
          if (workspace === store.getState().workspace && key !== shown.key) void refresh(workspace);
        }),
        rpc.onOpen(({ reconnect }) => {
          const { workspace } = store.getState();
          if (reconnect && workspace) void refresh(workspace);
        }),
      ];
      return () => offs.forEach((off) => off());
    },
  };
}
