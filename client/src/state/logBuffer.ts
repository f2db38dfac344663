import type { LogLine, LogSource } from '../../../protocol/messages.ts';

/** A log line as the client keeps it: with a stable id for React keys and tests. */
export interface LogEntry extends LogLine {
  id: number;
}

/** Which lines the Logs view shows. */
export interface LogFilter {
  /** Sources shown; a source not listed is hidden. */
  sources: readonly LogSource[];
  /** Case-insensitive text a line must contain; '' shows all. */
  text: string;
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

/** Adds lines at the end and drops the oldest beyond `keepMax`. */
export function appendLogs(buffer: LogBuffer, lines: readonly LogLine[], keepMax: number): LogBuffer {
  if (lines.length === 0) return buffer;
  let nextId = buffer.nextId;
  const added = lines.map((line) => ({ ...line, text: stripAnsi(line.text), id: nextId++ }));
  const all = buffer.entries.concat(added);
  return { entries: all.length > keepMax ? all.slice(all.length - keepMax) : all, nextId };
}

/** The newest `max` entries that pass the filter, oldest first. */
export function filterLogs(entries: readonly LogEntry[], filter: LogFilter, max: number): LogEntry[] {
  const needle = filter.text.trim().toLowerCase();
  const shown: LogEntry[] = [];
  for (let i = entries.length - 1; i >= 0 && shown.length < max; i--) {
    const entry = entries[i];
    if (!entry || !filter.sources.includes(entry.source)) continue;
    if (needle && !entry.text.toLowerCase().includes(needle)) continue;
    shown.push(entry);
  }
  return shown.reverse();
}
