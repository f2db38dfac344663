/**
 * A Debug Adapter Protocol client over the agent's `/dap` upgrade: the
 * agent checks the token and pipes the socket to Delve's headless server on
 * the container's loopback. Messages are `Content-Length` framed JSON; each
 * is size-capped and shape-checked before use (Delve shares a container with
 * untrusted code).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { z } from 'zod';
import { ErrorCode, StudioError } from '../errors.ts';

const ResponseSchema = z.object({ type: z.literal('response'), request_seq: z.number(), success: z.boolean(), command: z.string(), message: z.string().optional(), body: z.unknown().optional() });
const EventSchema = z.object({ type: z.literal('event'), event: z.string(), body: z.unknown().optional() });

export interface DapEvent {
  readonly event: string;
  readonly body: unknown;
}

export interface DapConnection {
  /** Sends a request and resolves with its response body; a failed response rejects with Delve's message. */
  request(command: string, args?: Record<string, unknown>): Promise<unknown>;
  onEvent(listener: (event: DapEvent) => void): void;
  readonly closed: Promise<void>;
  close(): void;
}

export interface DapConnectOptions {
  /** The agent's `/inspector` WebSocket URL; `/dap` is beside it on the same port. */
  readonly agentUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxMessageBytes: number;
}

/** Opens the `/dap` upgrade and returns the connection once the agent has switched protocols. */
export function connectDap(options: DapConnectOptions): Promise<DapConnection> {
  const url = new URL(options.agentUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: '/dap', headers: { ...options.headers, Connection: 'Upgrade', Upgrade: 'dap' }, timeout: options.connectTimeoutMs });
    req.on('upgrade', (_res, socket, head) => resolve(new SocketDapConnection(socket, head, options)));
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString().slice(0, 500)));
      res.on('end', () => reject(new StudioError(ErrorCode.Debugger, `Delve is not reachable (${res.statusCode}): ${text.trim()}`)));
    });
    req.on('timeout', () => req.destroy(new Error('the agent did not answer the debugger upgrade')));
    req.on('error', (err) => reject(new StudioError(ErrorCode.Debugger, `Delve is not reachable: ${err.message}`, { cause: err })));
    req.end();
  });
}

class SocketDapConnection implements DapConnection {
  readonly closed: Promise<void>;
  #socket: Socket;
  #options: DapConnectOptions;
  #buffer = Buffer.alloc(0);
  #seq = 1;
  #pending = new Map<number, { resolve: (body: unknown) => void; reject: (err: Error) => void; timer: NodeJS.Timeout; command: string }>();
  #listeners: ((event: DapEvent) => void)[] = [];

  constructor(socket: Socket, head: Buffer, options: DapConnectOptions) {
    this.#socket = socket;
    this.#options = options;
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.#failAll('The Go chaincode process ended'));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    if (head.length > 0) this.#onData(head);
  }

  request(command: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const seq = this.#seq++;
    const body = Buffer.from(JSON.stringify({ seq, type: 'request', command, arguments: args }));
    return new Promise((resolve, reject) => {
      if (this.#socket.destroyed) {
        reject(new StudioError(ErrorCode.Debugger, 'The debugger connection is closed.'));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(seq);
        reject(new StudioError(ErrorCode.Timeout, `Delve did not answer ${command} within ${this.#options.requestTimeoutMs / 1000} s.`));
      }, this.#options.requestTimeoutMs);
      this.#pending.set(seq, { resolve, reject, timer, command });
      this.#socket.write(`Content-Length: ${body.length}\r\n\r\n`);
      this.#socket.write(body);
    });
  }

  onEvent(listener: (event: DapEvent) => void): void {
    this.#listeners.push(listener);
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const headerEnd = this.#buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) {
        if (this.#buffer.length > 1024) this.#protocolError('a message header without its end');
        return;
      }
      const length = Number(/Content-Length:\s*(\d+)/i.exec(this.#buffer.subarray(0, headerEnd).toString('latin1'))?.[1]);
      if (!Number.isSafeInteger(length)) return this.#protocolError('a message without Content-Length');
      if (length > this.#options.maxMessageBytes) return this.#protocolError(`a ${length}-byte message (the cap is ${this.#options.maxMessageBytes})`);
      if (this.#buffer.length < headerEnd + 4 + length) return;
      const text = this.#buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.#buffer = this.#buffer.subarray(headerEnd + 4 + length);
      this.#onMessage(text);
    }
  }

  #onMessage(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.#protocolError('a message that is not JSON');
    }
    const response = ResponseSchema.safeParse(message);
    if (response.success) {
      const pending = this.#pending.get(response.data.request_seq);
      if (!pending) return;
      this.#pending.delete(response.data.request_seq);
      clearTimeout(pending.timer);
      if (response.data.success) pending.resolve(response.data.body ?? {});
      else pending.reject(new StudioError(ErrorCode.Debugger, `${pending.command}: ${response.data.message ?? 'failed'}`));
      return;
    }
    const event = EventSchema.safeParse(message);
    if (event.success) for (const listener of this.#listeners) listener({ event: event.data.event, body: event.data.body });
  }

  #protocolError(what: string): void {
    this.#failAll(`Delve sent ${what}`);
    this.#socket.destroy();
  }

  #failAll(message: string): void {
    for (const [seq, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new StudioError(ErrorCode.Debugger, message));
      this.#pending.delete(seq);
    }
  }
}
