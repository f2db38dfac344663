/**
 * The ledger view's requests, answered from a session's ledger index. The
 * namespace defaults to the chaincode the workspace last ran.
 */
import type { ParamsOf, ResultOf } from '../../protocol/messages.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { WorkspaceSession } from '../session/workspaceSession.ts';
import type { LedgerIndex } from './ledgerIndex.ts';

function ledgerOf(session: WorkspaceSession): { index: LedgerIndex; namespace: (asked?: string) => string } {
  const ledger = session.ledger;
  if (!ledger) throw new StudioError(ErrorCode.SandboxNotReady, 'The sandbox is not running, so its ledger cannot be read. Press Run to start it (the ledger is kept while it is stopped).');
  return {
    index: ledger.index,
    namespace: (asked) => asked ?? ledger.chaincodeName ?? ledger.index.namespaces()[0] ?? '',
  };
}

export function ledgerBlocks(session: WorkspaceSession, { before, limit }: ParamsOf<'ledger/blocks'>): ResultOf<'ledger/blocks'> {
  const { index } = ledgerOf(session);
  return { height: String(index.height), blocks: index.blocks({ limit, ...(before === undefined ? {} : { before: BigInt(before) }) }) };
}

export function ledgerTransaction(session: WorkspaceSession, { txId }: ParamsOf<'ledger/transaction'>): ResultOf<'ledger/transaction'> {
  const tx = ledgerOf(session).index.transaction(txId);
  if (!tx) throw new StudioError(ErrorCode.NotFound, `Transaction ${txId} is not among the blocks the ledger view keeps (it may not be committed yet, or it is older than the blocks kept).`);
  return tx;
}

export function ledgerWorldState(session: WorkspaceSession, params: ParamsOf<'ledger/worldState'>): ResultOf<'ledger/worldState'> {
  const { index, namespace } = ledgerOf(session);
  const ns = namespace(params.namespace);
  const page = index.worldState({ namespace: ns, offset: params.offset, limit: params.limit, ...(params.search ? { search: params.search } : {}) });
  return { namespace: ns, namespaces: index.namespaces(), ...page };
}

export function ledgerKeyHistory(session: WorkspaceSession, params: ParamsOf<'ledger/keyHistory'>): ResultOf<'ledger/keyHistory'> {
  const { index, namespace } = ledgerOf(session);
  const ns = namespace(params.namespace);
  return { namespace: ns, key: params.key, history: index.keyHistory(ns, params.key) };
}
