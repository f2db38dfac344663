import { errorDataOf } from '../../../protocol/errorData.ts';
import { ErrorCode } from '../../../protocol/errors.ts';
import { describeError, RpcError } from '../rpc/rpcError.ts';
import type { InvokeRequest } from '../state/studioState.ts';
import { currentWorkspace } from './deps.ts';
import type { StudioDeps } from './deps.ts';

/** Submits and evaluates transactions, keeping each in the workspace's history (remembered across reloads). */
export interface InvokeController {
  /** Runs the invoke; the outcome lands in the history (first entry). */
  invoke(request: InvokeRequest): Promise<void>;
}

/** Creates the invoke controller. */
export function createInvokeController(deps: StudioDeps): InvokeController {
  const { rpc, store, prefs } = deps;
  return {
    async invoke(request) {
      const workspace = currentWorkspace(store);
      store.dispatch({ type: 'invokeStarted', request });
      const id = store.getState().invokes[0]?.id ?? -1;
      try {
        const transient = Object.keys(request.transient).length > 0 ? { transient: request.transient } : {};
        const result = await rpc.request('invoke', {
          workspace,
          mode: request.mode,
          contract: request.contract,
          fn: request.fn,
          args: request.args,
          ...transient,
          ...(request.endorsingOrgs && request.endorsingOrgs.length > 0 ? { endorsingOrgs: request.endorsingOrgs } : {}),
          ...(request.asOrg !== undefined ? { asOrg: request.asOrg } : {}),
        });
        store.dispatch({ type: 'invokeFinished', id, outcome: { ok: true, result } });
      } catch (err) {
        const { code, message } = describeError(err);
        const exception = err instanceof RpcError ? errorDataOf(ErrorCode.Chaincode, err)?.exception : undefined;
        store.dispatch({ type: 'invokeFinished', id, outcome: exception ? { ok: false, code, message, exception } : { ok: false, code, message } });
      }
      // Kept per workspace, so a reload or another day starts from the same history.
      if (store.getState().workspace === workspace) prefs.setInvokes(workspace, store.getState().invokes);
    },
  };
}
