/**
 * A typed Chrome DevTools Protocol client over one WebSocket.
 *
 * chrome-remote-interface opens its socket without custom headers, and the
 * inspector is reached through a proxy that wants an Authorization header, so
 * this speaks CDP over `ws` directly. Command and event types come from
 * devtools-protocol's ProtocolMapping; none are written by hand.
 */
import WebSocket from 'ws';
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import { ErrorCode, StudioError } from '../errors.ts';

export type CdpCommand = keyof ProtocolMapping.Commands;
export type CdpEvent = keyof ProtocolMapping.Events;
export type CdpParams<M extends CdpCommand> = ProtocolMapping.Commands[M]['paramsType'];
export type CdpResult<M extends CdpCommand> = ProtocolMapping.Commands[M]['returnType'];
export type CdpListener<E extends CdpEvent> = (...params: ProtocolMapping.Events[E]) => void;

/**
 * Why the connection ended: `local` when close() was called, `remote` when the inspector went away,
 * `too-large` when the inspector sent a message over `maxMessageBytes`.
 */
export type CdpCloseReason = 'local' | 'remote' | 'too-large';

export interface CdpConnection {
  /** Sends a command; rejects with a StudioError (`debugger` or `timeout`). */
  send<M extends CdpCommand>(method: M, ...params: CdpParams<M>): Promise<CdpResult<M>>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends CdpEvent>(event: E, listener: CdpListener<E>): () => void;
  /** Settles once, when the socket has closed, with who closed it. */
  readonly closed: Promise<CdpCloseReason>;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

export interface CdpConnectOptions {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** A larger message from the inspector is not read: the connection closes (`too-large`). */
  readonly maxMessageBytes: number;
  /** The message pending and later requests fail with once the inspector has gone away. */
  readonly goneMessage: string;
}

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(err: StudioError): void;
  timer: NodeJS.Timeout;
}

interface IncomingMessage {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string; data?: string };
}

/** Opens the WebSocket to the inspector and resolves once it is open. */
export async function connectCdp(options: CdpConnectOptions): Promise<CdpConnection> {
  const socket = new WebSocket(options.url, {
    headers: { ...options.headers },
    perMessageDeflate: false,
    // ws refuses a frame by its header, before buffering its payload.
    maxPayload: options.maxMessageBytes,
    handshakeTimeout: options.connectTimeoutMs,
  });
  // Every step is a few small messages each way; Nagle's algorithm would hold
  // each one back until the previous one is acknowledged. ws sets this too,
  // but the debugger's speed should not depend on a library's internals.
  socket.once('upgrade', (response) => response.socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    const fail = (cause: unknown): void => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      const detail = cause instanceof Error ? cause.message : String(cause);
      reject(new StudioError(ErrorCode.Debugger, `Could not connect to the chaincode debugger: ${detail}`, { cause }));
    };
    socket.once('open', () => {
      socket.removeAllListeners('error');
      socket.removeAllListeners('unexpected-response');
      resolve();
    });
    socket.once('error', fail);
    socket.once('unexpected-response', (_req, res) => fail(new Error(`the inspector answered HTTP ${res.statusCode ?? '?'}`)));
  });
  return new WsCdpConnection(socket, options);
}

class WsCdpConnection implements CdpConnection {
  readonly closed: Promise<CdpCloseReason>;
  #socket: WebSocket;
  #options: CdpConnectOptions;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #listeners = new Map<string, Set<(...params: unknown[]) => void>>();
  #closingLocally = false;
  #tooLarge = false;
  #open = true;

  constructor(socket: WebSocket, options: CdpConnectOptions) {
    this.#socket = socket;
    this.#options = options;
    socket.on('message', (data) => this.#onMessage(data.toString()));
    // A socket error is always followed by 'close'; the close handler does the cleanup.
    socket.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.#tooLarge = true;
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.#open = false;
        const reason = this.#closeReason();
        for (const [id, pending] of this.#pending) {
          clearTimeout(pending.timer);
          this.#pending.delete(id);
          pending.reject(new StudioError(ErrorCode.Debugger, this.#closedMessage()));
        }
        resolve(reason);
      });
    });
  }

  get isOpen(): boolean {
    return this.#open;
  }

  send<M extends CdpCommand>(method: M, ...params: CdpParams<M>): Promise<CdpResult<M>> {
    if (!this.#open) return Promise.reject(new StudioError(ErrorCode.Debugger, this.#closedMessage()));
    const id = this.#nextId++;
    return new Promise<CdpResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new StudioError(ErrorCode.Timeout, `The debugger did not answer ${method} within ${this.#options.requestTimeoutMs} ms`));
      }, this.#options.requestTimeoutMs);
      this.#pending.set(id, { method, resolve: (r) => resolve(r as CdpResult<M>), reject, timer });
      this.#socket.send(JSON.stringify({ id, method, params: params[0] ?? {} }));
    });
  }

  on<E extends CdpEvent>(event: E, listener: CdpListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const untyped = listener as (...params: unknown[]) => void;
    set.add(untyped);
    return () => set.delete(untyped);
  }

  async close(): Promise<void> {
    if (this.#open) {
      this.#closingLocally = true;
      this.#socket.close();
    }
    await this.closed;
  }

  #closeReason(): CdpCloseReason {
    if (this.#tooLarge) return 'too-large';
    return this.#closingLocally ? 'local' : 'remote';
  }

  #closedMessage(): string {
    switch (this.#closeReason()) {
      case 'local':
        return 'The debug session was closed';
      case 'too-large':
        return tooLargeMessage(this.#options.maxMessageBytes);
      case 'remote':
        return this.#options.goneMessage;
    }
  }

  #onMessage(text: string): void {
    let message: IncomingMessage;
    try {
      message = JSON.parse(text) as IncomingMessage;
    } catch {
      return;
    }
    if (typeof message.id === 'number') {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error) {
        const detail = message.error.message ?? 'unknown error';
        pending.reject(new StudioError(ErrorCode.Debugger, `The debugger refused ${pending.method}: ${detail}`, { data: message.error }));
      } else {
        pending.resolve(message.result ?? {});
      }
      return;
    }
    if (typeof message.method === 'string') {
      const set = this.#listeners.get(message.method);
      if (!set) return;
      for (const listener of [...set]) listener(message.params);
    }
  }
}

/** What a debug session that ended on an oversized inspector message says. */
export function tooLargeMessage(maxMessageBytes: number): string {
  const limit = `${Math.round(maxMessageBytes / 1024 / 1024)} MiB`;
  return `The debugger was disconnected: the chaincode produced a debugger message over the ${limit} limit (a huge value or log line). Press Run to debug again, and inspect smaller values.`;
}
