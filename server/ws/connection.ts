/**
 * One browser connection: feeds frames to the dispatcher, sends replies and
 * notifications, and protects the server from a browser that reads too
 * slowly (backpressure). Owned by the WebSocket endpoint.
 */
import { setMaxListeners } from 'node:events';
import WebSocket, { type RawData } from 'ws';
import type { Notification, NotificationMap, NotificationName, Reply } from '../../protocol/messages.ts';
import { serializeReply, tooLargeReply, type Dispatcher } from './dispatcher.ts';
import type { EdgeLimits } from './edgeLimits.ts';
import type { EdgeLogger } from './edgeLogger.ts';
import type { RequestContext } from './handlers.ts';
import { serializeNotification, type HubMember, type StudioHub } from './hub.ts';
import { RequestGate } from './requestGate.ts';
import type { TokenScope } from '../http/tokenScope.ts';

/** WebSocket close codes we send (RFC 6455 §7.4). */
export const CloseCode = {
  GoingAway: 1001,
  MessageTooBig: 1009,
  TryAgainLater: 1013,
} as const;

/** Notifications that may be dropped when the browser falls behind; all others are never dropped. */
const droppableNotifications: ReadonlySet<NotificationName> = new Set(['log', 'output', 'sandbox/progress']);

export interface ConnectionOptions {
  readonly ws: WebSocket;
  readonly id: string;
  readonly remoteAddress: string;
  readonly scope: TokenScope;
  readonly hub: StudioHub;
  readonly dispatcher: Dispatcher;
  readonly limits: EdgeLimits;
  readonly log: EdgeLogger;
}

export class StudioConnection implements HubMember {
  readonly id: string;
  readonly #ws: WebSocket;
  readonly #hub: StudioHub;
  readonly #dispatcher: Dispatcher;
  readonly #limits: EdgeLimits;
  readonly #log: EdgeLogger;
  readonly #gate: RequestGate;
  readonly #abort = new AbortController();
  readonly #context: RequestContext;
  /** Lines dropped per workspace since the buffer last drained. */
  readonly #dropped = new Map<string, number>();
  #drainTimer: NodeJS.Timeout | undefined;
  /** Resolves once the socket is closed and the connection has left the hub. */
  readonly closed: Promise<void>;

  constructor(options: ConnectionOptions) {
    const { ws, id, remoteAddress, scope, hub, dispatcher, limits, log } = options;
    this.id = id;
    this.#ws = ws;
    this.#hub = hub;
    this.#dispatcher = dispatcher;
    this.#limits = limits;
    this.#log = log;
    this.#gate = new RequestGate(limits);
    // Handlers may each listen for the close while in flight.
    setMaxListeners(limits.maxRequestsInFlight + 16, this.#abort.signal);
    this.#context = {
      connectionId: id,
      remoteAddress,
      scope,
      signal: this.#abort.signal,
      subscribe: (workspace) => hub.subscribe(this, workspace),
      unsubscribe: (workspace) => hub.unsubscribe(this, workspace),
      notify: (notification) => this.#notify(notification),
    };

    hub.join(this);
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('error', (err) => log.warn(`WebSocket ${id} (${remoteAddress}): ${err.message}`));
    this.closed = new Promise((resolve) => {
      ws.once('close', () => {
        this.#onClose();
        resolve();
      });
    });
  }

  /** Hub delivery: log-like notifications are dropped (and counted) while the browser is behind. */
  deliver(notification: Notification, text: string): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (droppableNotifications.has(notification.method)) {
      if (this.#drainTimer !== undefined || this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
        this.#drop(notification);
        return;
      }
      this.#ws.send(text);
      return;
    }
    this.#sendEssential(text);
  }

  /** Closes with `code`; ws waits for the browser's close frame, then ends the socket. */
  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  /** Ends the socket at once. */
  terminate(): void {
    this.#ws.terminate();
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    const byteLength = rawByteLength(data);
    if (byteLength > this.#limits.maxMessageBytes) {
      this.#sendReply(tooLargeReply(data, byteLength, this.#limits.maxMessageBytes));
      this.close(CloseCode.MessageTooBig, 'Message too big');
      return;
    }
    void this.#dispatcher
      .dispatch(data, isBinary, this.#context, this.#gate)
      .then((reply) => this.#sendReply(reply));
  }

  #sendReply(reply: Reply): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#sendEssential(serializeReply(reply, this.#log));
  }

  #notify(notification: Notification): void {
    const text = serializeNotification(notification, this.#log);
    if (text !== undefined) this.deliver(notification, text);
  }

  /** Replies and state-changing notifications are queued up to twice the buffer limit, then the browser is cut off. */
  #sendEssential(text: string): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (this.#ws.bufferedAmount > 2 * this.#limits.maxBufferedBytes) {
      this.#log.warn(`WebSocket ${this.id}: the browser is not reading; closing (${this.#ws.bufferedAmount} bytes unsent).`);
      this.close(CloseCode.TryAgainLater, 'The browser is reading too slowly');
      return;
    }
    this.#ws.send(text);
  }

  #drop(notification: Notification): void {
    const params = notification.params;
    const lines = notification.method === 'log' ? (params as NotificationMap['log']).lines.length : 1;
    this.#dropped.set(params.workspace, (this.#dropped.get(params.workspace) ?? 0) + lines);
    if (this.#drainTimer === undefined) {
      // ws has no drain event of its own; polling bufferedAmount is cheap and only runs while behind.
      this.#drainTimer = setInterval(() => this.#checkDrained(), this.#limits.backpressurePollMs);
      this.#drainTimer.unref();
    }
  }

  #checkDrained(): void {
    if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes / 2) return;
    this.#stopDrainTimer();
    const time = new Date().toISOString();
    for (const [workspace, count] of this.#dropped) {
      const text = `${count} ${count === 1 ? 'line was' : 'lines were'} dropped because the browser was too slow to receive them.`;
      this.#notify({ method: 'log', params: { workspace, lines: [{ source: 'sandbox', time, text }] } });
    }
    this.#dropped.clear();
  }

  #stopDrainTimer(): void {
    if (this.#drainTimer === undefined) return;
    clearInterval(this.#drainTimer);
    this.#drainTimer = undefined;
  }

  #onClose(): void {
    this.#stopDrainTimer();
    this.#dropped.clear();
    this.#hub.leave(this);
    this.#abort.abort(new Error(`Connection ${this.id} closed`));
  }
}

function rawByteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, chunk) => sum + chunk.length, 0);
  return data.byteLength;
}
