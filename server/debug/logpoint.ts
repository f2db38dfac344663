/**
 * Logpoints are breakpoints whose condition logs and answers false, so the
 * program never stops. The condition carries a `sourceURL` naming the
 * logpoint, which lets the session tell its console call apart from the
 * chaincode's own logging and surface it as an `output` event.
 */
import type { Protocol } from 'devtools-protocol';
import type { NotificationMap } from '../../protocol/messages.ts';
import type { BreakpointStore } from './breakpointStore.ts';

const urlPrefix = 'studio-logpoint-';
const urlPattern = /^studio-logpoint-(\d+)\.js$/;

// Renders one interpolated value as text inside the debuggee: strings as they
// are, objects as JSON, Buffers readably; it must never throw.
const formatter = `(v) => { try {
  if (typeof v === 'string') return v;
  if (typeof v === 'function') return '[Function ' + (v.name || 'anonymous') + ']';
  if (v instanceof Error) return String(v);
  if (typeof Buffer === 'function' && Buffer.isBuffer(v)) return 'Buffer(' + v.length + ') ' + JSON.stringify(v.toString('utf8'));
  if (typeof v === 'object' && v !== null) return JSON.stringify(v, (_k, x) => typeof x === 'bigint' ? x + 'n' : x) ?? String(v);
  return String(v);
} catch { return String(v); } }`;

/** Splits a DAP log message into literal text and `{expression}` parts; braces nest. */
export function parseLogMessage(message: string): { text?: string; expression?: string }[] {
  const parts: { text?: string; expression?: string }[] = [];
  let literal = '';
  let i = 0;
  while (i < message.length) {
    const ch = message[i];
    if (ch !== '{') {
      literal += ch;
      i++;
      continue;
    }
    let depth = 0;
    let end = i;
    for (; end < message.length; end++) {
      if (message[end] === '{') depth++;
      else if (message[end] === '}' && --depth === 0) break;
    }
    if (end >= message.length) {
      literal += message.slice(i);
      break;
    }
    const expression = message.slice(i + 1, end).trim();
    if (expression === '') {
      literal += message.slice(i, end + 1);
    } else {
      if (literal) parts.push({ text: literal });
      literal = '';
      parts.push({ expression });
    }
    i = end + 1;
  }
  if (literal) parts.push({ text: literal });
  return parts;
}

/** The CDP breakpoint condition for a logpoint: logs the message (when `condition` holds) and returns false. */
export function logpointCondition(id: number, logMessage: string, condition?: string): string {
  const pieces = parseLogMessage(logMessage).map((part) =>
    part.expression === undefined
      ? JSON.stringify(part.text ?? '')
      : `(() => { try { return __studioFormat((${part.expression}\n)); } catch (e) { return '<' + (e && e.message) + '>'; } })()`,
  );
  const guard = condition?.trim() ? `if (!(${condition}\n)) return false;` : '';
  const message = pieces.length > 0 ? pieces.join(' + ') : '""';
  return `(() => { const __studioFormat = ${formatter}; ${guard} console.log(${message}); return false; })()\n//# sourceURL=${urlPrefix}${id}.js`;
}

/** The logpoint id a console call came from, given the URL of its top stack frame. */
export function logpointIdOfUrl(url: string | undefined): number | undefined {
  const match = url === undefined ? null : urlPattern.exec(url);
  return match ? Number(match[1]) : undefined;
}

/** A logpoint's output cut to `maxChars`, with a marker that says how much was cut. */
export function clipLogOutput(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}… [${text.length - maxChars} more characters not shown]`;
}

/**
 * The `output` event for a console call made by a logpoint, or undefined when
 * the chaincode itself logged (its own output reaches the user through the
 * sandbox log).
 */
export function logpointOutput(
  event: Protocol.Runtime.ConsoleAPICalledEvent,
  store: BreakpointStore,
  workspace: string,
  maxChars: number,
): NotificationMap['output'] | undefined {
  const id = logpointIdOfUrl(event.stackTrace?.callFrames[0]?.url);
  if (id === undefined) return undefined;
  const found = store.find(id);
  const first = event.args[0];
  const output = clipLogOutput(typeof first?.value === 'string' ? first.value : (first?.description ?? ''), maxChars);
  const name = found?.path.split('/').pop() ?? '';
  return {
    workspace,
    category: 'console',
    output: `${output}\n`,
    ...(found ? { source: { name, path: found.path }, line: found.breakpoint.line } : {}),
  };
}
