/**
 * Finds the Fabric transaction id of a pause, so the stop can name the
 * transaction it belongs to.
 *
 * Best effort: a transaction function has `ctx` in scope, and so do the
 * fabric-contract-api frames below it; a stop outside any never fails for it.
 * The stub's `txId` is read with getProperties rather than evaluated: every
 * evaluation compiles a script, whose scriptParsed event costs a round trip
 * on the inspector socket.
 */
import type { Protocol } from 'devtools-protocol';
import { debugTxIdTimeoutMs } from '../config.ts';
import type { CdpConnection } from './cdpConnection.ts';

const txIdExpression = "typeof ctx.stub.getTxID === 'function' ? ctx.stub.getTxID() : undefined";

async function ownProperty(cdp: CdpConnection, objectId: string, name: string): Promise<Protocol.Runtime.RemoteObject | undefined> {
  const { result } = await cdp.send('Runtime.getProperties', { objectId, ownProperties: true });
  return result.find((p) => p.name === name)?.value;
}

/**
 * The transaction id visible from `callFrames`, or undefined when none is, the
 * lookup fails, it takes longer than debugTxIdTimeoutMs, or `current()` turns
 * false (the program moved on).
 */
export async function findTxId(cdp: CdpConnection, callFrames: readonly Protocol.Debugger.CallFrame[], current: () => boolean): Promise<string | undefined> {
  const search = async (): Promise<string | undefined> => {
    for (const frame of callFrames) {
      const local = frame.scopeChain.find((scope) => scope.type === 'local')?.object.objectId;
      const ctx = local === undefined ? undefined : await ownProperty(cdp, local, 'ctx');
      const stub = ctx?.objectId === undefined ? undefined : await ownProperty(cdp, ctx.objectId, 'stub');
      if (!current()) return undefined;
      if (stub?.objectId === undefined) continue;
      const field = await ownProperty(cdp, stub.objectId, 'txId');
      if (typeof field?.value === 'string' && field.value !== '') return field.value;
      const answer = await cdp
        .send('Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId, expression: txIdExpression, silent: true, returnByValue: true })
        .catch(() => undefined);
      const value: unknown = answer?.result.value;
      return typeof value === 'string' && value !== '' ? value : undefined;
    }
    return undefined;
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), debugTxIdTimeoutMs);
  });
  try {
    return await Promise.race([search().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
