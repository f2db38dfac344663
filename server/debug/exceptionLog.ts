/**
 * The exceptions user code threw while no filter asked to stop on them, kept
 * so that a transaction that failed can show where its error came from: the
 * chaincode only sends the peer the error's message, never its stack.
 */
import type { Protocol } from 'devtools-protocol';
import type { ExceptionDetails, ExceptionFilter } from '../../protocol/messages.ts';
import { debugExceptionsKept } from '../config.ts';

/** One exception as the debugger saw it thrown. */
export interface NotedException extends ExceptionDetails {
  /** The transaction it was thrown in, when the stack showed one. */
  readonly txId: string | undefined;
}

/** The newest exceptions, at most debugExceptionsKept. */
export class ExceptionLog {
  #entries: NotedException[] = [];

  add(entry: NotedException): void {
    this.#entries.push(entry);
    if (this.#entries.length > debugExceptionsKept) this.#entries.shift();
  }

  /**
   * The exception behind a failed transaction: among those thrown in `txId`, the last whose
   * message is `message` (a catch may throw a new error), else the last one. Without a txId,
   * only an exception with that exact message that named no transaction either.
   */
  find(txId: string | undefined, message: string): ExceptionDetails | undefined {
    const candidates = this.#entries.filter((e) => e.txId === txId);
    const found = candidates.findLast((e) => e.message === message) ?? (txId === undefined ? undefined : candidates.at(-1));
    if (!found) return undefined;
    const { txId: _txId, ...details } = found;
    return details;
  }
}

/** The CDP pause-on-exceptions state that matches the user's filters. */
export function pauseOnExceptionsState(filters: readonly ExceptionFilter[]): 'none' | 'uncaught' | 'all' {
  return filters.includes('all') ? 'all' : filters.includes('uncaught') ? 'uncaught' : 'none';
}

/** True when the user's filters stop on the exception of `event` ('all', or 'uncaught' and nothing catches it). */
export function wantsException(filters: readonly ExceptionFilter[], event: Pick<Protocol.Debugger.PausedEvent, 'data'>): boolean {
  if (filters.includes('all')) return true;
  const uncaught = (event.data as { uncaught?: unknown } | undefined)?.uncaught === true;
  return uncaught && filters.includes('uncaught');
}

/** The message and type of a thrown value, from V8's description ("TypeError: x is not a function\n    at …"). */
export function exceptionMessage(value: Protocol.Runtime.RemoteObject | undefined): { message: string; typeName?: string } {
  if (!value) return { message: '' };
  if (value.type !== 'object') return { message: value.description ?? String(value.value) };
  const description = value.description ?? '';
  const firstStackLine = description.search(/\n\s+at /);
  const head = firstStackLine < 0 ? description : description.slice(0, firstStackLine);
  const typeName = value.className;
  for (const prefix of [typeName, 'Error'].filter((p): p is string => p !== undefined)) {
    if (head.startsWith(`${prefix}: `)) return { message: head.slice(prefix.length + 2), typeName };
    if (head === prefix) return { message: '', typeName };
  }
  return typeName === undefined ? { message: head } : { message: head, typeName };
}
