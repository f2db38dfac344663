/** The sandbox's log lines: who wrote each, and how loud. */
import { z } from 'zod';

/**
 * Who wrote a log line: `chaincode` is the user's own code (console.*, uncaught errors), `shim` the
 * runtime around it (fabric-shim, fabric-contract-api, node's inspector messages).
 */
export const LogSource = z.enum(['peer', 'orderer', 'chaincode', 'shim', 'sandbox']);
export type LogSource = z.infer<typeof LogSource>;
/** A line's level, from Fabric's and the shim's own tags; the user's stderr counts as `error`. */
export const LogLevel = z.enum(['error', 'warning', 'info', 'debug']);
export type LogLevel = z.infer<typeof LogLevel>;
export interface LogLine {
  source: LogSource;
  /** ISO time the line was written. */
  time: string;
  text: string;
  /** Absent: info. */
  level?: LogLevel;
  /** The MSP ID of the org whose peer or chaincode wrote it, in a network of several orgs; absent: the first org or the sandbox. */
  org?: string;
}
