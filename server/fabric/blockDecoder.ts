/**
 * Decodes a committed block, as the peer delivers it, into what the ledger
 * view shows: per transaction its id, time, creator, function and arguments,
 * validation code (from the block's transactions filter), endorsers, events
 * and read/write set. Arguments and event payloads are bounded like values.
 */
import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { LedgerBlock, LedgerTransaction } from '../../protocol/ledger.ts';
import { ledgerArgMaxChars } from '../config.ts';
import { chaincodeActions, chaincodeEventOf, decodeReadWriteSet, ledgerValue } from './readWriteSet.ts';

const validationNames = Object.fromEntries(Object.entries(peer.TxValidationCode).map(([name, code]) => [code, name])) as Record<number, string>;
const headerTypeNames = Object.fromEntries(Object.entries(common.HeaderType).map(([name, code]) => [code, name.toLowerCase()])) as Record<number, string>;
const utf8 = new TextDecoder();

function mspOf(serializedIdentity: Uint8Array): string | undefined {
  try {
    return msp.SerializedIdentity.deserializeBinary(serializedIdentity).getMspid() || undefined;
  } catch {
    return undefined;
  }
}

function argText(bytes: Uint8Array): string {
  const text = utf8.decode(bytes);
  return text.length > ledgerArgMaxChars ? `${text.slice(0, ledgerArgMaxChars)}… (${bytes.length} bytes)` : text;
}

/** The invocation a transaction's proposal carried: chaincode, function, arguments. */
function invocation(actionPayload: peer.ChaincodeActionPayload): Pick<LedgerTransaction, 'chaincode' | 'fn' | 'args'> {
  const proposal = peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(proposal.getInput_asU8()).getChaincodeSpec();
  const [fn, ...args] = (spec?.getInput()?.getArgsList_asU8() ?? []).map(argText);
  return { chaincode: spec?.getChaincodeId()?.getName() || undefined, fn, args };
}

function endorserTransaction(payload: common.Payload): Pick<LedgerTransaction, 'chaincode' | 'fn' | 'args' | 'endorsers' | 'events' | 'readWriteSet'> {
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const [first] = transaction.getActionsList();
  const actionPayload = first ? peer.ChaincodeActionPayload.deserializeBinary(first.getPayload_asU8()) : undefined;
  const endorsers = (actionPayload?.getAction()?.getEndorsementsList() ?? []).map((e) => mspOf(e.getEndorser_asU8()) ?? '?');
  const actions = chaincodeActions(transaction);
  const events = actions.flatMap((action) => {
    const event = chaincodeEventOf(action);
    return event ? [{ name: event.getEventName(), payload: ledgerValue(event.getPayload_asU8()) }] : [];
  });
  return {
    ...(actionPayload ? invocation(actionPayload) : {}),
    endorsers,
    events,
    readWriteSet: { namespaces: actions.flatMap((action) => decodeReadWriteSet(action.getResults_asU8()).namespaces) },
  };
}

function decodeTransaction(envelopeBytes: Uint8Array, validationCode: number | undefined): LedgerTransaction {
  const envelope = common.Envelope.deserializeBinary(envelopeBytes);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const header = payload.getHeader();
  const channelHeader = common.ChannelHeader.deserializeBinary(header?.getChannelHeader_asU8() ?? new Uint8Array());
  const signatureHeader = common.SignatureHeader.deserializeBinary(header?.getSignatureHeader_asU8() ?? new Uint8Array());
  const type = channelHeader.getType();
  const timestamp = channelHeader.getTimestamp();
  const base: LedgerTransaction = {
    txId: channelHeader.getTxId(),
    type: type === common.HeaderType.ENDORSER_TRANSACTION ? 'endorser' : (headerTypeNames[type] ?? String(type)),
    ...(timestamp ? { time: timestamp.toDate().toISOString() } : {}),
    creatorMsp: mspOf(signatureHeader.getCreator_asU8()),
    validationCode: validationCode === undefined ? 'UNKNOWN' : (validationNames[validationCode] ?? String(validationCode)),
    endorsers: [],
    events: [],
    readWriteSet: { namespaces: [] },
  };
  return type === common.HeaderType.ENDORSER_TRANSACTION ? { ...base, ...endorserTransaction(payload) } : base;
}

/** A delivered block as the ledger view shows it. A transaction that cannot be decoded is listed with its error instead of failing the block. */
export function decodeBlock(block: common.Block): LedgerBlock {
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  const transactions = (block.getData()?.getDataList_asU8() ?? []).map((bytes, i) => {
    try {
      return decodeTransaction(bytes, filter[i]);
    } catch (err) {
      return { txId: '', type: `undecodable: ${err instanceof Error ? err.message : String(err)}`, validationCode: 'UNKNOWN', endorsers: [], events: [], readWriteSet: { namespaces: [] } };
    }
  });
  const times = transactions.map((t) => t.time).filter((t): t is string => t !== undefined).sort();
  return { number: String(block.getHeader()?.getNumber() ?? 0), ...(times[0] ? { time: times[0] } : {}), transactions };
}
