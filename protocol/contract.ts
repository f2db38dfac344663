/** A contract as its metadata describes it, and what an invoke of it answers. */
import type { ArgSchema } from './contractArgs.ts';
import type { ReadWriteSet } from './ledger.ts';

export interface ContractParam {
  name: string;
  /** The type as shown, e.g. `number`, `Asset`, `string[]`. */
  type: string;
  /** What the arguments are checked against (contractArgs.ts); absent: any value. */
  schema?: ArgSchema;
  /** False only when the metadata says `"required": false`; then an empty value may be sent. */
  required?: boolean;
}
export interface ContractTransaction {
  name: string;
  /** 'submit' for transactions that write, 'evaluate' for those tagged as queries. */
  kind: 'submit' | 'evaluate';
  params: ContractParam[];
  returns?: string;
}
export interface ContractInfo {
  name: string;
  isDefault: boolean;
  transactions: ContractTransaction[];
}
export interface ContractMetadata {
  contracts: ContractInfo[];
  /** The raw metadata JSON as the chaincode returned it. */
  raw: unknown;
}

export interface ChaincodeEvent {
  name: string;
  payload: string;
  txId: string;
  blockNumber: string;
}

export interface InvokeResult {
  mode: 'submit' | 'evaluate';
  result: string;
  txId: string;
  /** Set for submits: the block that holds the transaction. */
  blockNumber?: string;
  /** Set for submits: Fabric's validation code name, e.g. VALID or MVCC_READ_CONFLICT. */
  validationCode?: string;
  events: ChaincodeEvent[];
  /** What the transaction read and wrote (evaluate: what it would have written), as endorsed. */
  readWriteSet?: ReadWriteSet;
  /** The MSP IDs of the peers that endorsed it, one per endorsement, in the transaction's order. */
  endorsers?: string[];
  durationMs: number;
  /** Set when an older build answered, because the last compile failed (SandboxStatus.previousBuild). */
  previousBuild?: string;
}
