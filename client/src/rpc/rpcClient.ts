import type { ErrorBody } from '../../../protocol/errors.ts';
import type { Method, NotificationMap, NotificationName, ParamsOf, ResultOf } from '../../../protocol/messages.ts';
import { RpcError } from './rpcError.ts';
import type { ConnectSocket, SocketConnection } from './socket.ts';

/** Where the connection to the server stands. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Options of `createRpcClient`. */
export interface RpcClientOptions {
  readonly url: string;
  readonly connect: ConnectSocket;
  readonly reconnectInitialDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  /** How long a request waits for a connection before it fails with code `timeout`. */
  readonly queuedRequestTimeoutMs: number;
}

/** The typed WebSocket client of the Studio protocol. */
export interface RpcClient {
  readonly state: ConnectionState;
  /**
   * Sends a request and resolves with its result, or rejects with an `RpcError`.
   * While disconnected the request waits for the connection (up to the queued timeout).
   */
  request<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /** Subscribes to a server notification; returns the unsubscribe function. */
  on<N extends NotificationName>(name: N, handler: (params: NotificationMap[N]) => void): () => void;
  onStateChange(handler: (state: ConnectionState) => void): () => void;
  /**
   * Runs each time the socket opens, before waiting requests are sent, so a
   * handler can re-open the workspace first. `reconnect` is false the first time.
   */
  onOpen(handler: (info: { reconnect: boolean }) => void): () => void;
  /** Closes the socket for good and fails every waiting request with code `closed`. */
  close(): void;
}

/**
 * Methods that are safe to send twice. When the socket drops after one was
 * sent but before its reply came, it is sent again after reconnect; any other
 * method fails with code `connection_lost`, because it may have run already.
 */
const idempotentMethods: ReadonlySet<Method> = new Set<Method>([
  'sample/list',
  'workspace/list',
  'workspace/open',
  'dependencies/types',
  'file/list',
  'file/read',
  'file/search',
  'file/write',
  'sandbox/status',
  'chaincode/metadata',
  'logs/history',
  'setBreakpoints',
  'setExceptionBreakpoints',
  'threads',
  'stackTrace',
  'scopes',
  'variables',
]);

interface PendingRequest {
  readonly id: number;
  readonly method: Method;
  readonly params: unknown;
  readonly resolve: (result: unknown) => void;
  readonly reject: (err: RpcError) => void;
  sent: boolean;
  queueTimer: ReturnType<typeof setTimeout> | undefined;
}

type AnyHandler = (params: unknown) => void;

/** Creates the client and starts connecting at once. */
export function createRpcClient(options: RpcClientOptions): RpcClient {
  return new WebSocketRpcClient(options);
}

class WebSocketRpcClient implements RpcClient {
  readonly #options: RpcClientOptions;
  readonly #pending = new Map<number, PendingRequest>();
  readonly #notificationHandlers = new Map<string, Set<AnyHandler>>();
  readonly #stateHandlers = new Set<(state: ConnectionState) => void>();
  readonly #openHandlers = new Set<(info: { reconnect: boolean }) => void>();
  #state: ConnectionState = 'connecting';
  #socket: SocketConnection | undefined;
  #nextId = 1;
  #attempt = 0;
  #everOpened = false;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RpcClientOptions) {
    this.#options = options;
    this.#connect();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  request<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.#state === 'closed') {
      return Promise.reject(new RpcError('closed', 'The connection to the server was closed.'));
    }
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const pending: PendingRequest = {
        id: this.#nextId++,
        method,
        params,
        resolve: resolve as (result: unknown) => void,
        reject,
        sent: false,
        queueTimer: undefined,
      };
      this.#pending.set(pending.id, pending);
      if (this.#state === 'open') this.#send(pending);
      else this.#startQueueTimer(pending);
    });
  }

  on<N extends NotificationName>(name: N, handler: (params: NotificationMap[N]) => void): () => void {
    let handlers = this.#notificationHandlers.get(name);
    if (!handlers) {
      handlers = new Set();
      this.#notificationHandlers.set(name, handlers);
    }
    const erased = handler as AnyHandler;
    handlers.add(erased);
    return () => handlers.delete(erased);
  }

  onStateChange(handler: (state: ConnectionState) => void): () => void {
    this.#stateHandlers.add(handler);
    return () => this.#stateHandlers.delete(handler);
  }

  onOpen(handler: (info: { reconnect: boolean }) => void): () => void {
    this.#openHandlers.add(handler);
    return () => this.#openHandlers.delete(handler);
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    clearTimeout(this.#reconnectTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.queueTimer);
      pending.reject(new RpcError('closed', 'The connection to the server was closed.'));
    }
    this.#pending.clear();
  }

  #connect(): void {
    const socket = this.#options.connect(this.#options.url, {
      open: () => {
        if (this.#socket === socket) this.#handleOpen();
      },
      message: (data) => {
        if (this.#socket === socket) this.#handleMessage(data);
      },
      close: () => {
        if (this.#socket === socket) this.#handleClose();
      },
    });
    this.#socket = socket;
  }

  #handleOpen(): void {
    const reconnect = this.#everOpened;
    this.#everOpened = true;
    this.#attempt = 0;
    this.#setState('open');
    for (const handler of [...this.#openHandlers]) {
      try {
        handler({ reconnect });
      } catch (err) {
        console.error('open handler failed', err);
      }
    }
    for (const pending of [...this.#pending.values()]) {
      if (!pending.sent && this.#state === 'open') this.#send(pending);
    }
  }

  #handleClose(): void {
    this.#socket = undefined;
    if (this.#state === 'closed') return;
    for (const pending of [...this.#pending.values()]) {
      if (!pending.sent) continue;
      if (idempotentMethods.has(pending.method)) {
        pending.sent = false;
        this.#startQueueTimer(pending);
      } else {
        this.#pending.delete(pending.id);
        pending.reject(
          new RpcError('connection_lost', `The connection dropped before '${pending.method}' was answered; it may or may not have run.`),
        );
      }
    }
    this.#setState('reconnecting');
    const delayMs = Math.min(this.#options.reconnectMaxDelayMs, this.#options.reconnectInitialDelayMs * 2 ** this.#attempt);
    this.#attempt++;
    this.#reconnectTimer = setTimeout(() => this.#connect(), delayMs);
  }

  #handleMessage(data: string): void {
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn('ignored a message that is not JSON');
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const record = message as Record<string, unknown>;
    if ('id' in record && ('result' in record || 'error' in record)) {
      this.#handleReply(record);
    } else if (typeof record.method === 'string') {
      const handlers = this.#notificationHandlers.get(record.method);
      for (const handler of handlers ? [...handlers] : []) {
        try {
          handler(record.params);
        } catch (err) {
          console.error(`handler of '${record.method}' failed`, err);
        }
      }
    }
  }

  #handleReply(reply: Record<string, unknown>): void {
    const error = isErrorBody(reply.error) ? reply.error : undefined;
    if (typeof reply.id !== 'number') {
      if (error) console.warn(`server error not tied to a request: ${error.code}: ${error.message}`);
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if ('error' in reply) {
      pending.reject(error ? RpcError.fromBody(error) : new RpcError('internal', 'The server sent a malformed error.'));
    } else {
      pending.resolve(reply.result);
    }
  }

  #send(pending: PendingRequest): void {
    clearTimeout(pending.queueTimer);
    pending.queueTimer = undefined;
    pending.sent = true;
    this.#socket?.send(JSON.stringify({ id: pending.id, method: pending.method, params: pending.params }));
  }

  #startQueueTimer(pending: PendingRequest): void {
    clearTimeout(pending.queueTimer);
    pending.queueTimer = setTimeout(() => {
      if (pending.sent || !this.#pending.has(pending.id)) return;
      this.#pending.delete(pending.id);
      const seconds = Math.round(this.#options.queuedRequestTimeoutMs / 1000);
      pending.reject(new RpcError('timeout', `No connection to the server for ${seconds}s; '${pending.method}' was not sent.`));
    }, this.#options.queuedRequestTimeoutMs);
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const handler of [...this.#stateHandlers]) handler(state);
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.code === 'string' && typeof body.message === 'string';
}
