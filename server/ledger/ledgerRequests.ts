/**
 * The ledger view's requests, answered from a session's ledger index, and
 * from the peer's own blocks for what the index does not keep whole (older
 * blocks, values cut short). The namespace defaults to the chaincode the
 * workspace last ran.
 */
import type { ParamsOf, ResultOf } from '../../protocol/messages.ts';
import { ledgerValueWholeMaxBytes } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { decodeBlock } from '../fabric/blockDecoder.ts';
import type { SandboxGateway } from '../fabric/gateway.ts';
import type { WorkspaceSession } from '../session/workspaceSession.ts';
import { blockSummary, type LedgerIndex } from './ledgerIndex.ts';
import { readPeerBlocks, writtenValue } from './peerBlocks.ts';

function ledgerOf(session: WorkspaceSession): { index: LedgerIndex; gateway: SandboxGateway; namespace: (asked?: string) => string } {
  const ledger = session.ledger;
  if (!ledger) throw new StudioError(ErrorCode.SandboxNotReady, 'The sandbox is not running, so its ledger cannot be read. Press Run to start it (the ledger is kept while it is stopped).');
  return {
    index: ledger.index,
    gateway: ledger.gateway,
    namespace: (asked) => asked ?? ledger.chaincodeName ?? ledger.index.namespaces()[0] ?? '',
  };
}

/** Newest first below `before`: from the index while it keeps them, then older ones read from the peer. */
export async function ledgerBlocks(session: WorkspaceSession, { before, limit }: ParamsOf<'ledger/blocks'>): Promise<ResultOf<'ledger/blocks'>> {
  const { index, gateway } = ledgerOf(session);
  const height = index.height;
  const below = before === undefined ? height : BigInt(before) < height ? BigInt(before) : height;
  const kept = index.blocks({ limit, before: below });
  const lowest = kept.length > 0 ? BigInt(kept[kept.length - 1]?.number ?? '0') : below;
  const wanted = limit - kept.length;
  if (wanted <= 0 || lowest === 0n || lowest > index.oldestKept) return { height: String(height), blocks: kept };
  const start = lowest > BigInt(wanted) ? lowest - BigInt(wanted) : 0n;
  const older = (await readPeerBlocks(gateway, start, Number(lowest - start))).map((b) => blockSummary(decodeBlock(b))).reverse();
  return { height: String(height), blocks: [...kept, ...older] };
}

export async function ledgerTransaction(session: WorkspaceSession, { txId, blockNumber }: ParamsOf<'ledger/transaction'>): Promise<ResultOf<'ledger/transaction'>> {
  const { index, gateway } = ledgerOf(session);
  const kept = index.transaction(txId);
  if (kept) return kept;
  if (blockNumber !== undefined && BigInt(blockNumber) < index.height) {
    const [block] = await readPeerBlocks(gateway, BigInt(blockNumber), 1);
    const tx = block ? decodeBlock(block).transactions.find((t) => t.txId === txId) : undefined;
    if (tx) return { ...tx, blockNumber };
  }
  throw new StudioError(
    ErrorCode.NotFound,
    `Transaction ${txId} is not ${blockNumber === undefined ? 'among the blocks the ledger view keeps (it may not be committed yet, or it is older than the blocks kept)' : `in block ${blockNumber}`}.`,
  );
}

/** A written value, whole (up to `ledgerValueWholeMaxBytes`), read from the block that wrote it. */
export async function ledgerValue(session: WorkspaceSession, params: ParamsOf<'ledger/value'>): Promise<ResultOf<'ledger/value'>> {
  const { index, gateway, namespace } = ledgerOf(session);
  const blockNumber = BigInt(params.blockNumber);
  if (blockNumber >= index.height) throw new StudioError(ErrorCode.NotFound, `Block ${params.blockNumber} is not committed yet (the channel's height is ${index.height}).`);
  const [block] = await readPeerBlocks(gateway, blockNumber, 1);
  if (!block) throw new StudioError(ErrorCode.NotFound, `Block ${params.blockNumber} could not be read.`);
  const tx = params.txId !== undefined ? { txId: params.txId } : { txNum: Number(params.txNum) };
  return writtenValue(block, tx, namespace(params.namespace), params.key, ledgerValueWholeMaxBytes);
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
