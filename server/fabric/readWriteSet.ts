/**
 * Decodes a transaction's read/write set from Fabric's protobufs: from the
 * `results` of a ChaincodeAction (an endorsement or a block's transaction
 * alike), or from an endorsed transaction the Gateway hands back. Values are
 * made safe to show: UTF-8 text or hex, cut at `ledgerValueMaxBytes`.
 */
import { common, gateway as gatewayProto, ledger, msp, peer } from '@hyperledger/fabric-protos';
import type { KeyRead, KeyVersion, LedgerValue, NamespaceReadWriteSet, ReadWriteSet } from '../../protocol/ledger.ts';
import { ledgerValueMaxBytes } from '../config.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A value as the IDE shows it: text when it is valid UTF-8 without control bytes other than whitespace, else hex. */
export function ledgerValue(bytes: Uint8Array, maxBytes = ledgerValueMaxBytes): LedgerValue {
  const truncated = bytes.length > maxBytes;
  const kept = truncated ? bytes.subarray(0, maxBytes) : bytes;
  const text = asText(bytes, kept);
  return text === null
    ? { encoding: 'hex', text: Buffer.from(kept).toString('hex'), bytes: bytes.length, truncated }
    : { encoding: 'utf8', text, bytes: bytes.length, truncated };
}

function asText(whole: Uint8Array, kept: Uint8Array): string | null {
  try {
    // Decide on the whole value (a cut may split a character), show the kept part.
    const text = strictUtf8.decode(whole);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000e-\u001f]/.test(text)) return null;
    return kept.length === whole.length ? text : new TextDecoder().decode(kept).replace(/\uFFFD$/, '');
  } catch {
    return null;
  }
}

const hex = (bytes: Uint8Array | string): string => Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : bytes).toString('hex');

function version(v: ledger.rwset.kvrwset.Version | undefined): KeyVersion | undefined {
  return v ? { blockNum: String(v.getBlockNum()), txNum: String(v.getTxNum()) } : undefined;
}

function keyRead(read: ledger.rwset.kvrwset.KVRead): KeyRead {
  const v = version(read.getVersion());
  return v ? { key: read.getKey(), version: v } : { key: read.getKey() };
}

function namespaceSet(ns: ledger.rwset.NsReadWriteSet): NamespaceReadWriteSet {
  const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
  return {
    namespace: ns.getNamespace(),
    reads: kv.getReadsList().map(keyRead),
    rangeQueries: kv.getRangeQueriesInfoList().map((q) => {
      const raw = q.getRawReads();
      return {
        startKey: q.getStartKey(),
        endKey: q.getEndKey(),
        exhausted: q.getItrExhausted(),
        ...(raw ? { reads: raw.getKvReadsList().map(keyRead) } : {}),
      };
    }),
    writes: kv.getWritesList().map((w) => (w.getIsDelete() ? { key: w.getKey(), isDelete: true } : { key: w.getKey(), isDelete: false, value: ledgerValue(w.getValue_asU8()) })),
    metadataWrites: kv.getMetadataWritesList().map((m) => ({ key: m.getKey(), names: m.getEntriesList().map((e) => e.getName()) })),
    collections: ns.getCollectionHashedRwsetList().map((c) => {
      const hashed = ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(c.getHashedRwset_asU8());
      return {
        collection: c.getCollectionName(),
        readKeyHashes: hashed.getHashedReadsList().map((r) => hex(r.getKeyHash())),
        writes: hashed.getHashedWritesList().map((w) => ({ keyHash: hex(w.getKeyHash()), isDelete: w.getIsDelete(), valueHash: hex(w.getValueHash()) })),
      };
    }),
  };
}

/** The read/write set in a ChaincodeAction's `results` bytes (a serialized TxReadWriteSet). */
export function decodeReadWriteSet(results: Uint8Array): ReadWriteSet {
  if (results.length === 0) return { namespaces: [] };
  const set = ledger.rwset.TxReadWriteSet.deserializeBinary(results);
  return { namespaces: set.getNsRwsetList().map(namespaceSet) };
}

/** The ChaincodeActions of an endorser transaction (one per action; a Gateway transaction has one). */
export function chaincodeActions(transaction: peer.Transaction): peer.ChaincodeAction[] {
  return transaction.getActionsList().map((action) => {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const responsePayload = peer.ProposalResponsePayload.deserializeBinary(actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array());
    return peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
  });
}

/** The chaincode event an action carries, if the chaincode set one (an empty name means none). */
export function chaincodeEventOf(action: peer.ChaincodeAction): peer.ChaincodeEvent | undefined {
  const bytes = action.getEvents_asU8();
  if (bytes.length === 0) return undefined;
  const event = peer.ChaincodeEvent.deserializeBinary(bytes);
  return event.getEventName() ? event : undefined;
}

/** The endorser transaction inside an envelope. */
export function envelopeTransaction(envelope: common.Envelope): peer.Transaction {
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  return peer.Transaction.deserializeBinary(payload.getData_asU8());
}

/** The read/write set of an endorsed transaction as the Gateway returns it (a serialized PreparedTransaction). */
export function preparedReadWriteSet(preparedBytes: Uint8Array): ReadWriteSet {
  const envelope = gatewayProto.PreparedTransaction.deserializeBinary(preparedBytes).getEnvelope();
  if (!envelope) return { namespaces: [] };
  const namespaces = chaincodeActions(envelopeTransaction(envelope)).flatMap((action) => decodeReadWriteSet(action.getResults_asU8()).namespaces);
  return { namespaces };
}

/** The MSP IDs of an endorsed transaction's endorsements (a serialized PreparedTransaction), one per endorsing peer. */
export function preparedEndorsers(preparedBytes: Uint8Array): string[] {
  const envelope = gatewayProto.PreparedTransaction.deserializeBinary(preparedBytes).getEnvelope();
  if (!envelope) return [];
  return envelopeTransaction(envelope)
    .getActionsList()
    .flatMap((action) => peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()).getAction()?.getEndorsementsList() ?? [])
    .map((endorsement) => {
      try {
        return msp.SerializedIdentity.deserializeBinary(endorsement.getEndorser_asU8()).getMspid() || '?';
      } catch {
        return '?';
      }
    });
}
