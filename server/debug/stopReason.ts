/**
 * Why the program stopped, in DAP's words, from V8's pause event and what
 * the session was waiting for.
 */
import type { Protocol } from 'devtools-protocol';
import type { NotificationMap } from '../../protocol/messages.ts';

/** What the session asked V8 for before the pause, if anything. */
export type PendingResume = 'step' | 'pause' | undefined;

/** The reason of a `stopped` event, with the line of text the UI shows for it. */
export interface StopReason {
  readonly reason: NotificationMap['stopped']['reason'];
  readonly description?: string;
  /** The exception's full text, when the stop is on one. */
  readonly text?: string;
}

/** Classifies `event`; `hitIds` are the DAP ids of the breakpoints it hit. */
export function stopReason(event: Protocol.Debugger.PausedEvent, hitIds: readonly number[], expecting: PendingResume): StopReason {
  if (event.reason === 'exception' || event.reason === 'promiseRejection') {
    const data = event.data as Protocol.Runtime.RemoteObject | undefined;
    const text = data ? (data.description ?? String(data.value)) : undefined;
    const description = `Paused on exception${text ? `: ${text.split('\n')[0]}` : ''}`;
    return { reason: 'exception', description, ...(text === undefined ? {} : { text }) };
  }
  if (hitIds.length > 0) return { reason: 'breakpoint' };
  if (expecting === 'step') return { reason: 'step' };
  if (expecting === 'pause') return { reason: 'pause' };
  if (event.reason === 'other') return { reason: 'breakpoint', description: 'Paused on debugger statement' };
  return { reason: 'pause' };
}
