/**
 * The transaction a stopped Go chaincode goroutine runs, for the pause
 * banner (as txIdLookup.ts finds it for Node). The Go shim runs each
 * transaction in a goroutine of its own that starts in the handler with the
 * peer's message (`(*Handler).handleStubInteraction(…, msg, …)`, then
 * `handleTransaction(msg)`); Delve reads `msg.Txid` there as a plain field,
 * calling nothing in the debuggee. Works for contractapi and bare shim
 * chaincode alike; a lookup that fails or is slow gives no txId.
 */
import { z } from 'zod';
import { debugTxIdTimeoutMs } from '../config.ts';
import type { DapConnection } from './dapConnection.ts';

/** The shim handler's frames that hold the peer's message as `msg` (Delve names them by the package's last element). */
const handlerFrame = /(?:^|\/)shim\.\(\*Handler\)\.handle(?:Transaction|Init|StubInteraction)$/;
const DapEvaluate = z.object({ result: z.string() });
/** What a transaction id can look like (the peer's are 64 hex digits). */
const txIdShape = /^[\w.:-]{1,128}$/;

/** The Txid of the shim message in the deepest handler frame among `frames`, or undefined. */
export async function findGoTxId(dap: Pick<DapConnection, 'request'>, frames: readonly { readonly id: number; readonly name: string }[]): Promise<string | undefined> {
  const frame = frames.findLast((f) => handlerFrame.test(f.name));
  if (!frame) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), debugTxIdTimeoutMs);
  });
  // `clipboard`: Delve loads the whole string rather than its first 64 characters.
  const lookup = dap
    .request('evaluate', { expression: 'msg.Txid', frameId: frame.id, context: 'clipboard' })
    .then((body) => goStringValue(DapEvaluate.parse(body).result))
    .catch(() => undefined);
  try {
    return await Promise.race([lookup, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Go string as Delve shows it (`"abc"`), unquoted, if it looks like a transaction id. */
export function goStringValue(shown: string): string | undefined {
  if (shown.length < 2 || !shown.startsWith('"') || !shown.endsWith('"')) return undefined;
  const unquoted = shown.slice(1, -1);
  return txIdShape.test(unquoted) ? unquoted : undefined;
}
