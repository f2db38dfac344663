/**
 * Which limit a sandbox log line reports, if any. The agent names every limit
 * a process runs into in a `sandbox` log line (sandbox/agent/limits.mjs,
 * logs.mjs, chaincode.mjs) and has no structured field for it, so the server
 * counts them where it receives them, by the agent's own wording. Only
 * `sandbox` lines are the agent's: the chaincode's output arrives as
 * `chaincode` and cannot pose as one.
 */
import type { LogLine } from '../../protocol/messages.ts';

export const limitKinds = ['memory', 'processes', 'disk', 'cpu', 'log_rate', 'heap'] as const;
export type LimitKind = (typeof limitKinds)[number];

/** The agent's sentence for each limit (the start of the line, so a quoted message later in a line never matches). */
const patterns: readonly (readonly [LimitKind, RegExp])[] = [
  // LimitWatch: an OOM kill in the container's cgroup.
  ['memory', /^A process was killed: sandbox memory limit\b/],
  // LimitWatch: forks refused by the pids limit.
  ['processes', /^process limit\b.* reached: \d+ new process\(es\) refused/],
  // LimitWatch: the ledger disk or /tmp nearly full.
  ['disk', /^Disk quota: .+ is full \(/],
  // LimitWatch: the chaincode wanting its whole CPU quota for a while.
  ['cpu', /^The chaincode has used its whole CPU quota\b/],
  // LogHub: lines dropped over the per-source rate.
  ['log_rate', /^\d+ \w+ log lines dropped: over the log rate limit\b/],
  // ChaincodeProcess: V8 ran out of the chaincode's heap cap.
  ['heap', /^The chaincode process stopped: chaincode JavaScript heap limit\b/],
];

/** The limit `line` reports, or undefined for any other line. */
export function limitHitOf(line: Pick<LogLine, 'source' | 'text'>): LimitKind | undefined {
  if (line.source !== 'sandbox') return undefined;
  return patterns.find(([, pattern]) => pattern.test(line.text))?.[0];
}
