import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRpcClient } from './rpcClient.ts';
import type { RpcClient } from './rpcClient.ts';
import { RpcError } from './rpcError.ts';
import type { ConnectSocket, SocketHandlers } from './socket.ts';

/** A socket the test opens, feeds and drops by hand. */
class FakeSocket {
  readonly sent: { id: number; method: string; params: unknown }[] = [];
  closedByClient = false;
  constructor(
    readonly url: string,
    readonly handlers: SocketHandlers,
  ) {}
  reply(id: number, result: unknown): void {
    this.handlers.message(JSON.stringify({ id, result }));
  }
}

let sockets: FakeSocket[];
let client: RpcClient;

const connect: ConnectSocket = (url, handlers) => {
  const socket = new FakeSocket(url, handlers);
  sockets.push(socket);
  return {
    send: (data) => socket.sent.push(JSON.parse(data) as FakeSocket['sent'][number]),
    close: () => {
      socket.closedByClient = true;
    },
  };
};

function lastSocket(): FakeSocket {
  const socket = sockets.at(-1);
  if (!socket) throw new Error('no socket was opened');
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  client = createRpcClient({
    url: 'ws://studio.test/ws?token=t',
    connect,
    reconnectInitialDelayMs: 100,
    reconnectMaxDelayMs: 400,
    queuedRequestTimeoutMs: 1_000,
  });
});

afterEach(() => {
  client.close();
  vi.useRealTimers();
});

describe('request and reply', () => {
  it('matches replies to requests by id, in any order', async () => {
    lastSocket().handlers.open();
    const list = client.request('workspace/list', {});
    const status = client.request('sandbox/status', { workspace: 'demo' });
    const [first, second] = lastSocket().sent;
    expect(first).toEqual({ id: 1, method: 'workspace/list', params: {} });
    expect(second).toEqual({ id: 2, method: 'sandbox/status', params: { workspace: 'demo' } });

    lastSocket().reply(2, { workspace: 'demo', phase: 'ready', chaincode: 'running' });
    lastSocket().reply(1, { workspaces: [] });
    await expect(list).resolves.toEqual({ workspaces: [] });
    await expect(status).resolves.toMatchObject({ phase: 'ready' });
  });

  it('rejects with an RpcError carrying the code, message and data of an error reply', async () => {
    lastSocket().handlers.open();
    const run = client.request('run', { workspace: 'demo' });
    lastSocket().handlers.message(
      JSON.stringify({ id: 1, error: { code: 'compile_failed', message: 'did not compile', data: { count: 2 } } }),
    );
    const err: unknown = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({ code: 'compile_failed', message: 'did not compile', data: { count: 2 } });
  });

  it('delivers notifications to their handlers until unsubscribed', () => {
    lastSocket().handlers.open();
    const seen: string[] = [];
    const off = client.on('log', (params) => seen.push(...params.lines.map((l) => l.text)));
    const line = { source: 'peer', time: '2024-01-01T00:00:00Z', text: 'hello' };
    lastSocket().handlers.message(JSON.stringify({ method: 'log', params: { workspace: 'demo', lines: [line] } }));
    off();
    lastSocket().handlers.message(JSON.stringify({ method: 'log', params: { workspace: 'demo', lines: [line] } }));
    expect(seen).toEqual(['hello']);
  });

  it('ignores messages that are not JSON or not for a pending request', async () => {
    lastSocket().handlers.open();
    const list = client.request('workspace/list', {});
    lastSocket().handlers.message('not json');
    lastSocket().reply(99, { workspaces: ['x'] });
    lastSocket().reply(1, { workspaces: [] });
    await expect(list).resolves.toEqual({ workspaces: [] });
  });
});

describe('disconnects', () => {
  it('holds requests made before the socket opens and sends them on open', async () => {
    const states: string[] = [];
    client.onStateChange((s) => states.push(s));
    const list = client.request('workspace/list', {});
    expect(lastSocket().sent).toEqual([]);
    lastSocket().handlers.open();
    expect(lastSocket().sent.map((m) => m.method)).toEqual(['workspace/list']);
    lastSocket().reply(1, { workspaces: [] });
    await expect(list).resolves.toEqual({ workspaces: [] });
    expect(states).toEqual(['open']);
  });

  it('reconnects with a doubling backoff capped at the maximum', () => {
    lastSocket().handlers.close(1006, '');
    expect(client.state).toBe('reconnecting');
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(99);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);

    lastSocket().handlers.close(1006, '');
    vi.advanceTimersByTime(200);
    expect(sockets).toHaveLength(3);
    lastSocket().handlers.close(1006, '');
    vi.advanceTimersByTime(399);
    expect(sockets).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(4);
    lastSocket().handlers.close(1006, '');
    vi.advanceTimersByTime(400);
    expect(sockets).toHaveLength(5);

    lastSocket().handlers.open();
    expect(client.state).toBe('open');
    lastSocket().handlers.close(1006, '');
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(6);
  });

  it('queues requests while reconnecting and runs open handlers before sending them', async () => {
    const reconnects: boolean[] = [];
    client.onOpen(({ reconnect }) => {
      reconnects.push(reconnect);
      // Left unanswered: afterEach's close() fails it.
      if (reconnect) client.request('workspace/open', { workspace: 'demo' }).catch(() => undefined);
    });
    lastSocket().handlers.open();
    lastSocket().handlers.close(1006, '');
    const write = client.request('file/write', { workspace: 'demo', path: 'src/a.ts', content: 'x' });
    vi.advanceTimersByTime(100);
    lastSocket().handlers.open();
    expect(reconnects).toEqual([false, true]);
    expect(lastSocket().sent.map((m) => m.method)).toEqual(['workspace/open', 'file/write']);
    const writeId = lastSocket().sent[1]?.id ?? -1;
    lastSocket().reply(writeId, { path: 'src/a.ts', version: 'v2' });
    await expect(write).resolves.toEqual({ path: 'src/a.ts', version: 'v2' });
  });

  it('fails a queued request with code timeout when no connection comes in time', async () => {
    lastSocket().handlers.close(1006, '');
    const list = client.request('workspace/list', {});
    const outcome = list.catch((e: unknown) => e);
    vi.advanceTimersByTime(1_000);
    expect(await outcome).toMatchObject({ code: 'timeout' });
  });

  it('resends idempotent in-flight requests after reconnect and fails the others with connection_lost', async () => {
    lastSocket().handlers.open();
    const read = client.request('file/read', { workspace: 'demo', path: 'src/a.ts' });
    const invoke = client.request('invoke', { workspace: 'demo', mode: 'submit', contract: '', fn: 'Create', args: [] });
    const invokeOutcome = invoke.catch((e: unknown) => e);
    lastSocket().handlers.close(1006, '');
    expect(await invokeOutcome).toMatchObject({ code: 'connection_lost' });

    vi.advanceTimersByTime(100);
    lastSocket().handlers.open();
    expect(lastSocket().sent).toEqual([{ id: 1, method: 'file/read', params: { workspace: 'demo', path: 'src/a.ts' } }]);
    lastSocket().reply(1, { path: 'src/a.ts', content: 'x', version: 'v1' });
    await expect(read).resolves.toMatchObject({ content: 'x' });
  });

  it('ignores events of a socket it already replaced', () => {
    const first = lastSocket();
    first.handlers.close(1006, '');
    vi.advanceTimersByTime(100);
    first.handlers.open();
    expect(client.state).toBe('reconnecting');
    lastSocket().handlers.open();
    expect(client.state).toBe('open');
  });

  it('close() fails waiting requests, closes the socket and stops reconnecting', async () => {
    lastSocket().handlers.open();
    const list = client.request('workspace/list', {});
    const outcome = list.catch((e: unknown) => e);
    client.close();
    expect(await outcome).toMatchObject({ code: 'closed' });
    expect(lastSocket().closedByClient).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(sockets).toHaveLength(1);
    await expect(client.request('workspace/list', {})).rejects.toMatchObject({ code: 'closed' });
  });
});
