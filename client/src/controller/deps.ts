import type { RpcClient } from '../rpc/rpcClient.ts';
import { describeError } from '../rpc/rpcError.ts';
import type { Prefs } from '../state/prefs.ts';
import type { Store } from '../state/store.ts';
import type { StudioAction, StudioState } from '../state/studioState.ts';
import type { UnsavedEdits } from '../state/unsavedEdits.ts';

export type StudioStore = Store<StudioState, StudioAction>;

/** What every part of the controller shares. */
export interface StudioDeps {
  readonly rpc: RpcClient;
  readonly store: StudioStore;
  readonly unsaved: UnsavedEdits;
  readonly prefs: Prefs;
  /** The URL the browser fetches a server path from, a download or an upload (it adds the access token). */
  readonly downloadHref: (path: string) => string;
}

/** Shows a failed action to the user as "what: code: message". */
export function reportError(store: StudioStore, what: string, err: unknown): void {
  const { code, message } = describeError(err);
  store.dispatch({ type: 'notice', kind: 'error', text: `${what}: ${message} (${code})` });
}

/** The open workspace, or an error when none is (a programming slip in the UI). */
export function currentWorkspace(store: StudioStore): string {
  const workspace = store.getState().workspace;
  if (!workspace) throw new Error('No workspace is open.');
  return workspace;
}
