/**
 * Reads committed blocks straight from the peer, for what the ledger index
 * does not keep whole: blocks older than those kept, and a value cut short in
 * the index. The peer's own block store is the truth; nothing is cached here.
 */
import { common, ledger } from '@hyperledger/fabric-protos';
import type { LedgerValue } from '../../protocol/ledger.ts';
import { ledgerPeerReadTimeoutMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { SandboxGateway } from '../fabric/gateway.ts';
import { chaincodeActions, envelopeTransaction, ledgerValue } from '../fabric/readWriteSet.ts';

/** Blocks `start` … `start + count - 1`, which must all be committed (below the channel's height). */
export async function readPeerBlocks(gateway: SandboxGateway, start: bigint, count: number): Promise<common.Block[]> {
  if (count <= 0) return [];
  const stream = await gateway.blocks(start);
  const timer = setTimeout(() => stream.close(), ledgerPeerReadTimeoutMs);
  const blocks: common.Block[] = [];
  try {
    for await (const block of stream) {
      blocks.push(block);
      if (blocks.length >= count) break;
    }
  } catch (err) {
    throw new StudioError(ErrorCode.SandboxNotReady, `The peer did not deliver blocks ${start}–${start + BigInt(count) - 1n}: ${err instanceof Error ? err.message : String(err)}. Wait for the sandbox to be ready and try again.`, { cause: err });
  } finally {
    clearTimeout(timer);
    stream.close();
  }
  if (blocks.length < count) throw new StudioError(ErrorCode.SandboxNotReady, `The peer delivered ${blocks.length} of blocks ${start}–${start + BigInt(count) - 1n} within ${ledgerPeerReadTimeoutMs / 1000} s. Try again when the sandbox is less busy.`);
  return blocks;
}

/** Which transaction of a block: by its id, or by its position (a key version's txNum). */
export type TxInBlock = { txId: string } | { txNum: number };

/**
 * The value a transaction wrote to `key` in `namespace`, read from its block,
 * whole up to `maxBytes`. Refused when the transaction is not in the block or
 * did not write the key.
 */
export function writtenValue(block: common.Block, tx: TxInBlock, namespace: string, key: string, maxBytes: number): LedgerValue {
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  const number = block.getHeader()?.getNumber() ?? 0;
  const index = 'txNum' in tx ? tx.txNum : envelopes.findIndex((bytes) => txIdOf(bytes) === tx.txId);
  const bytes = envelopes[index];
  if (!bytes) throw new StudioError(ErrorCode.NotFound, `Block ${number} has no transaction ${'txNum' in tx ? `number ${tx.txNum}` : tx.txId}.`);
  const envelope = common.Envelope.deserializeBinary(bytes);
  for (const action of chaincodeActions(envelopeTransaction(envelope))) {
    const results = action.getResults_asU8();
    if (results.length === 0) continue;
    for (const ns of ledger.rwset.TxReadWriteSet.deserializeBinary(results).getNsRwsetList()) {
      if (ns.getNamespace() !== namespace) continue;
      const write = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8())
        .getWritesList()
        .find((w) => w.getKey() === key && !w.getIsDelete());
      if (write) return ledgerValue(write.getValue_asU8(), maxBytes);
    }
  }
  throw new StudioError(ErrorCode.NotFound, `That transaction in block ${number} wrote no value to this key in ${namespace}.`);
}

function txIdOf(envelopeBytes: Uint8Array): string {
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
    return common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()).getTxId();
  } catch {
    return '';
  }
}
