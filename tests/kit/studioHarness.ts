/**
 * Test support for the network edge: starts the real server on port 0 and
 * drives it with a real `ws` client. Used only by the edge's `*.test.ts`.
 */
import WebSocket from 'ws';
import type { Notification, Reply, ServerMessage } from '../../protocol/messages.ts';
import type { EdgeLogger } from '../../server/ws/edgeLogger.ts';
import type { Handlers } from '../../server/ws/handlers.ts';
import { createStudioServer, type StudioServer, type StudioServerOptions } from '../../server/http/studioServer.ts';

export const testToken = 'test-token-0123456789';

/** A logger that keeps what it is told, so tests stay quiet and can assert on it. */
export interface CapturingLog extends EdgeLogger {
  readonly warnings: string[];
  readonly errors: { message: string; err: unknown }[];
}

export function capturingLog(): CapturingLog {
  const warnings: string[] = [];
  const errors: { message: string; err: unknown }[] = [];
  return {
    warnings,
    errors,
    warn: (message) => warnings.push(message),
    error: (message, err) => errors.push({ message, err }),
  };
}

export interface TestServer {
  readonly server: StudioServer;
  readonly log: CapturingLog;
  /** `ws://127.0.0.1:<port>/ws` */
  readonly wsUrl: string;
  /** An allowed Origin. */
  readonly origin: string;
  /** Opens a client with the allowed origin and the token. */
  connect(): Promise<TestClient>;
  close(): Promise<void>;
}

export async function startTestServer(options: Partial<StudioServerOptions> & { handlers?: Handlers } = {}): Promise<TestServer> {
  const log = capturingLog();
  const server = await createStudioServer({
    host: '127.0.0.1',
    port: 0,
    token: testToken,
    staticDir: '/nonexistent/chaincode-studio-client',
    handlers: {},
    log,
    ...options,
  });
  const wsUrl = `ws://127.0.0.1:${server.port}/ws`;
  const origin = `http://127.0.0.1:${server.port}`;
  const clients: TestClient[] = [];
  return {
    server,
    log,
    wsUrl,
    origin,
    async connect() {
      const client = await TestClient.open(`${wsUrl}?token=${testToken}`, { origin });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
    },
  };
}

interface Waiter {
  predicate: (message: ServerMessage) => boolean;
  resolve: (message: ServerMessage) => void;
}

/** A real WebSocket client that matches replies to requests and keeps notifications. */
export class TestClient {
  readonly ws: WebSocket;
  /** Messages not yet taken by `waitFor`. */
  readonly pending: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #nextId = 1;
  #waiters: Waiter[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => this.#onMessage(JSON.parse(String(data)) as ServerMessage));
    // Failures show up as close codes, which the tests assert on.
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static open(url: string, options: { origin?: string; protocols?: string[] } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [], options.origin === undefined ? {} : { origin: options.origin });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        reject(new RefusedError(res.statusCode ?? 0));
        res.resume();
      });
      ws.once('error', reject);
    });
  }

  /** Sends a request and waits for the reply with its id (by default as long as `waitFor` does). */
  request(method: string, params?: unknown, options: { readonly timeoutMs?: number } = {}): Promise<Reply> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify(params === undefined ? { id, method } : { id, method, params }));
    return this.waitFor((m) => 'id' in m && m.id === id, options.timeoutMs) as Promise<Reply>;
  }

  send(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next reply in arrival order (for messages whose id the server could not read). */
  nextReply(): Promise<Reply> {
    return this.waitFor((m) => 'id' in m) as Promise<Reply>;
  }

  nextNotification(method?: string): Promise<Notification> {
    return this.waitFor((m) => 'method' in m && (method === undefined || m.method === method)) as Promise<Notification>;
  }

  /** Takes the first message (already received or still to come) that matches. */
  waitFor(predicate: (message: ServerMessage) => boolean, timeoutMs = 5000): Promise<ServerMessage> {
    const index = this.pending.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.pending.splice(index, 1)[0] as ServerMessage);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`No matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState !== WebSocket.CLOSING) this.ws.close();
    await this.closed;
  }

  #onMessage(message: ServerMessage): void {
    const waiter = this.#waiters.find((w) => w.predicate(message));
    if (waiter === undefined) {
      this.pending.push(message);
      return;
    }
    this.#waiters = this.#waiters.filter((w) => w !== waiter);
    waiter.resolve(message);
  }
}

/** The HTTP status with which the server refused an upgrade. */
export class RefusedError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`Upgrade refused with HTTP ${status}`);
    this.status = status;
  }
}

/** Opens a connection that is expected to be refused; resolves with the HTTP status. */
export async function refusalStatus(url: string, options: { origin?: string; protocols?: string[] } = {}): Promise<number> {
  try {
    const client = await TestClient.open(url, options);
    await client.close();
  } catch (err) {
    if (err instanceof RefusedError) return err.status;
    throw err;
  }
  throw new Error('The upgrade was accepted');
}
