import type { LogLevel, LogLine, LogSource } from '../../../protocol/messages.ts';

/** A log line as the client keeps it: with a stable id for React keys and tests. */
export interface LogEntry extends LogLine {
  id: number;
}

/** The lines of one transaction: those that name it, and the user's own lines printed while the chaincode ran it. */
export interface TransactionLogs {
  txId: string;
  /** How long the whole invoke took, for when the peer's own timing line is not in the log. */
  durationMs: number;
}

/** Which lines the Logs view shows. */
export interface LogFilter {
  /** Sources shown; a source not listed is hidden. */
  sources: readonly LogSource[];
  /** Case-insensitive text a line must contain; '' shows all. */
  text: string;
  /** The least severe level shown; absent shows all. */
  minLevel?: LogLevel;
  /** Only this transaction's lines. */
  transaction?: TransactionLogs;
  /** Only the lines of this org's peer and chaincode (a network of several orgs); absent shows every org's. */
  org?: string;
}

/** The kept lines and the id the next line gets. */
export interface LogBuffer {
  entries: readonly LogEntry[];
  nextId: number;
}

// eslint-disable-next-line no-control-regex -- matching terminal escape codes is the point
const ansiEscape = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The text without terminal colour codes, which Fabric's peer and orderer write. */
export function stripAnsi(text: string): string {
  return text.replace(ansiEscape, '');
}

/**
 * Adds lines at the end and drops the oldest of any source beyond `keepPerSourceMax`, so a
 * chatty peer cannot push the chaincode's own lines out.
 */
export function appendLogs(buffer: LogBuffer, lines: readonly LogLine[], keepPerSourceMax: number): LogBuffer {
  if (lines.length === 0) return buffer;
  let nextId = buffer.nextId;
  const added = lines.map((line) => ({ ...line, text: stripAnsi(line.text), id: nextId++ }));
  const all = buffer.entries.concat(added);
  const counts = new Map<LogSource, number>();
  for (const entry of all) counts.set(entry.source, (counts.get(entry.source) ?? 0) + 1);
  const excess = new Map([...counts].filter(([, count]) => count > keepPerSourceMax).map(([source, count]) => [source, count - keepPerSourceMax]));
  if (excess.size === 0) return { entries: all, nextId };
  const kept = all.filter((entry) => {
    const drop = excess.get(entry.source) ?? 0;
    if (drop === 0) return true;
    excess.set(entry.source, drop - 1);
    return false;
  });
  return { entries: kept, nextId };
}

const levelRank: Record<LogLevel, number> = { error: 3, warning: 2, info: 1, debug: 0 };

/** Whether `entry` is at least as severe as `min`; a line without a level is info. */
export function atLeast(entry: LogLine, min: LogLevel): boolean {
  return levelRank[entry.level ?? 'info'] >= levelRank[min];
}

/** The shortened transaction id Fabric's peer and fabric-shim print (`txID=c4a8aac0`, `[studio-c4a8aac0]`). */
const shortTxIdChars = 8;
/** Slack around the chaincode's run for lines read a little before or after it (the agent stamps lines as it reads them). */
const transactionSlackMs = 50;

/**
 * A test for the lines of one transaction: each line that names its id (in full or as the peer and
 * the shim shorten it), and the user's own lines (`chaincode`) printed while the chaincode ran it.
 * That span ends at the peer's "finished chaincode … duration: N ms" line and lasts N ms; without
 * it, the span is the invoke's own duration before the last line that names the transaction.
 */
export function transactionMatcher(entries: readonly LogLine[], transaction: TransactionLogs): (entry: LogLine) => boolean {
  const full = transaction.txId.toLowerCase();
  const short = new RegExp(`\\b${full.slice(0, shortTxIdChars).replace(/[^0-9a-f]/g, '')}\\b`);
  const names = (entry: LogLine): boolean => {
    const text = entry.text.toLowerCase();
    return text.includes(full) || (full.length >= shortTxIdChars && short.test(text));
  };
  let span: { from: number; to: number } | undefined;
  for (const entry of entries) {
    if (!names(entry)) continue;
    const end = Date.parse(entry.time);
    const finished = entry.source === 'peer' ? /finished chaincode: .* duration: (\d+)ms/.exec(entry.text) : null;
    if (finished) {
      span = { from: end - Number(finished[1]), to: end };
      break;
    }
    if (entry.source === 'shim' || entry.source === 'chaincode') span = { from: end - transaction.durationMs, to: end };
  }
  return (entry) => {
    if (names(entry)) return true;
    if (entry.source !== 'chaincode' || !span) return false;
    const time = Date.parse(entry.time);
    return time >= span.from - transactionSlackMs && time <= span.to + transactionSlackMs;
  };
}

/** The newest `max` entries that pass the filter, oldest first. */
export function filterLogs(entries: readonly LogEntry[], filter: LogFilter, max: number): LogEntry[] {
  const needle = filter.text.trim().toLowerCase();
  const ofTransaction = filter.transaction ? transactionMatcher(entries, filter.transaction) : undefined;
  const shown: LogEntry[] = [];
  for (let i = entries.length - 1; i >= 0 && shown.length < max; i--) {
    const entry = entries[i];
    if (!entry || !filter.sources.includes(entry.source)) continue;
    if (filter.minLevel && !atLeast(entry, filter.minLevel)) continue;
    if (filter.org !== undefined && entry.org !== filter.org) continue;
    if (needle && !entry.text.toLowerCase().includes(needle)) continue;
    if (ofTransaction && !ofTransaction(entry)) continue;
    shown.push(entry);
  }
  return shown.reverse();
}
