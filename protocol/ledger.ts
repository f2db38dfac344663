/**
 * What the ledger holds, as the IDE shows it: a transaction's read/write set,
 * decoded from Fabric's protobufs on the server (server/fabric/readWriteSet.ts).
 */

/** A ledger value as shown: UTF-8 text when it is text, else hex; cut at a bound with its full size kept. */
export interface LedgerValue {
  encoding: 'utf8' | 'hex';
  text: string;
  /** The value's real size; more than what `text` holds when `truncated`. */
  bytes: number;
  truncated: boolean;
}

/** The version a key was read at: the block and the transaction in it that last wrote it (absent: the key did not exist). */
export interface KeyVersion {
  blockNum: string;
  txNum: string;
}

export interface KeyRead {
  key: string;
  version?: KeyVersion;
}

export interface KeyWrite {
  key: string;
  isDelete: boolean;
  value?: LedgerValue;
}

export interface RangeQueryRead {
  startKey: string;
  endKey: string;
  /** Whether the chaincode read the range to its end. */
  exhausted: boolean;
  /** The keys the range returned (absent when the peer kept only a Merkle summary of a large range). */
  reads?: KeyRead[];
}

/** A private data collection's part: only hashes are on the ledger. */
export interface CollectionHashes {
  collection: string;
  readKeyHashes: string[];
  writes: { keyHash: string; isDelete: boolean; valueHash: string }[];
}

export interface NamespaceReadWriteSet {
  /** The chaincode name (or `_lifecycle`, `lscc` for system namespaces). */
  namespace: string;
  reads: KeyRead[];
  rangeQueries: RangeQueryRead[];
  writes: KeyWrite[];
  /** Keys whose metadata (e.g. a state-based endorsement policy) was written. */
  metadataWrites: { key: string; names: string[] }[];
  collections: CollectionHashes[];
}

export interface ReadWriteSet {
  namespaces: NamespaceReadWriteSet[];
}

/** One transaction of a block, as the ledger view lists it. */
export interface LedgerTransaction {
  txId: string;
  /** `endorser` for a chaincode transaction, `config` for a channel configuration update, else Fabric's header type name. */
  type: string;
  /** ISO time the client stamped on the proposal. */
  time?: string;
  creatorMsp?: string;
  chaincode?: string;
  /** The function and its arguments, as text (cut at a bound). */
  fn?: string;
  args?: string[];
  /** Fabric's validation code name: VALID, MVCC_READ_CONFLICT, ENDORSEMENT_POLICY_FAILURE… */
  validationCode: string;
  /** The MSP IDs that endorsed it. */
  endorsers: string[];
  events: { name: string; payload: LedgerValue }[];
  readWriteSet: ReadWriteSet;
}

export interface LedgerBlock {
  number: string;
  /** The earliest transaction time in the block (blocks carry no time of their own). */
  time?: string;
  transactions: LedgerTransaction[];
}

/** A block as listed (its transactions without their read/write sets; ask for one by txId). */
export interface LedgerBlockSummary {
  number: string;
  time?: string;
  transactions: Pick<LedgerTransaction, 'txId' | 'type' | 'time' | 'creatorMsp' | 'chaincode' | 'fn' | 'validationCode'>[];
}

/** A key's current value in the world state, with the version (block:tx) that wrote it. */
export interface WorldStateEntry {
  key: string;
  value: LedgerValue;
  version: KeyVersion;
}

export interface KeyHistoryEntry {
  txId: string;
  version: KeyVersion;
  time?: string;
  isDelete: boolean;
  value?: LedgerValue;
}

/** Where a written value can be read whole: the block and the transaction (by id or position) that wrote it. */
export interface ValueOrigin {
  /** The chaincode namespace (default: the workspace's chaincode). */
  namespace?: string;
  key: string;
  blockNumber: string;
  txId?: string;
  txNum?: string;
}
