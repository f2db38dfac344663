/** A sandbox's state as the IDE shows it: the sandbox's and the chaincode's phase, and what goes on. */
import { z } from 'zod';

export const SandboxPhase = z.enum([
  'absent',
  'building-image',
  'creating',
  'starting',
  'ready',
  'stopping',
  'stopped',
  'error',
]);
export type SandboxPhase = z.infer<typeof SandboxPhase>;

export const ChaincodePhase = z.enum(['stopped', 'compiling', 'starting', 'running', 'crashed']);
export type ChaincodePhase = z.infer<typeof ChaincodePhase>;

export interface SandboxStatus {
  workspace: string;
  phase: SandboxPhase;
  chaincode: ChaincodePhase;
  /** What the sandbox is doing or why it failed, in words. */
  message?: string;
  fabricVersion?: string;
  channel?: string;
  /** The org the sandbox's peer belongs to (what a client's identity must be issued by). */
  mspId?: string;
  chaincodeName?: string;
  packageId?: string;
  debuggerAttached?: boolean;
  restartOnSave?: boolean;
  /**
   * Set while the chaincode runs an older build than the sources because the
   * last compile failed: why, in words. Transactions are answered by that older code.
   */
  previousBuild?: string;
  /** A transaction that has run (not paused) past the long-transaction warning, until it ends. */
  longTransaction?: LongTransaction;
  /** A save waits to restart the chaincode until the transaction in it finishes. */
  restartPending?: boolean;
}

/** A transaction that runs on and on: Fabric cannot interrupt it, only a chaincode restart ends it. */
export interface LongTransaction {
  /** The contract as the invoke named it ('' for the default one) and the function. */
  contract: string;
  fn: string;
  /** Running time (paused time left out) when the warning was given. */
  runningMs: number;
  /** The sandbox's CPU limit, in words, e.g. "1 core". */
  cpuLimit: string;
}
