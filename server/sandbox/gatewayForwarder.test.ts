/**
 * The Gateway forwarder on loopback, against real TCP servers standing in for
 * a sandbox's ports: bytes go both ways to the one target, nowhere else, and
 * nothing goes anywhere while there is no target or after close.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openGatewayForwarder, type ForwardTarget, type GatewayForwarder } from './gatewayForwarder.ts';

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A TCP server that answers every chunk with `<name>:<chunk>` and counts its connections. */
async function namedEcho(name: string): Promise<ForwardTarget & { connections: () => number }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', (chunk) => socket.write(`${name}:${chunk.toString()}`));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, connections: () => connections };
}

async function forwarder(target: () => ForwardTarget | undefined, maxConnections = 8, onActivity?: () => void): Promise<GatewayForwarder> {
  const f = await openGatewayForwarder({ listenHost: '127.0.0.1', target, maxConnections, ...(onActivity ? { onActivity } : {}) });
  closers.push(() => f.close());
  return f;
}

/** Connects, sends `text`, and resolves with what came back before the connection closed or `waitMs` passed. */
function exchange(port: number, text: string, waitMs = 300): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    let closed = false;
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      resolve({ reply, closed });
    });
    setTimeout(() => {
      socket.destroy();
      resolve({ reply, closed });
    }, waitMs);
  });
}

describe('the Gateway forwarder', () => {
  it('carries bytes both ways between a client and the target, on loopback', async () => {
    const peer = await namedEcho('peer');
    const f = await forwarder(() => peer);
    expect(f.host).toBe('127.0.0.1');
    expect(f.port).not.toBe(peer.port);
    expect((await exchange(f.port, 'hello')).reply).toBe('peer:hello');
  });

  it('reports activity when a forwarded connection opens and when it ends, not for a refused one', async () => {
    const peer = await namedEcho('peer');
    let target: ForwardTarget | undefined = undefined;
    let activity = 0;
    const f = await forwarder(() => target, 8, () => activity++);
    await exchange(f.port, 'x', 2000);
    expect(activity).toBe(0);
    target = peer;
    const socket = net.connect({ host: '127.0.0.1', port: f.port });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('data', () => resolve()).write('x'));
    expect(activity).toBe(1);
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.end();
    await ended;
    await expect.poll(() => f.connectionCount).toBe(0);
    expect(activity).toBe(2);
  });

  it('reaches only the target it is given, whatever the client sends', async () => {
    const peer = await namedEcho('peer');
    const agent = await namedEcho('agent');
    const f = await forwarder(() => peer);
    const { reply } = await exchange(f.port, `GET /status HTTP/1.1\r\nHost: 127.0.0.1:${agent.port}\r\n\r\n`);
    expect(reply.startsWith('peer:')).toBe(true);
    expect(agent.connections()).toBe(0);
  });

  it('closes connections at once while there is no target, and follows the target as it changes', async () => {
    const first = await namedEcho('first');
    const second = await namedEcho('second');
    let target: ForwardTarget | undefined;
    const f = await forwarder(() => target);
    expect(await exchange(f.port, 'x', 2000)).toEqual({ reply: '', closed: true });
    target = first;
    expect((await exchange(f.port, 'x')).reply).toBe('first:x');
    target = second;
    expect((await exchange(f.port, 'x')).reply).toBe('second:x');
  });

  it('closes the client when the target refuses', async () => {
    const gone = await namedEcho('gone');
    await closers.pop()?.();
    const f = await forwarder(() => gone);
    expect(await exchange(f.port, 'x', 2000)).toEqual({ reply: '', closed: true });
    expect(f.connectionCount).toBe(0);
  });

  it('holds at most maxConnections at once', async () => {
    const peer = await namedEcho('peer');
    const f = await forwarder(() => peer, 1);
    const held = net.connect({ host: '127.0.0.1', port: f.port });
    held.on('error', () => undefined);
    closers.push(async () => void held.destroy());
    await new Promise<void>((resolve) => held.once('data', () => resolve()).write('first'));
    expect(f.connectionCount).toBe(1);
    expect(await exchange(f.port, 'second', 2000)).toEqual({ reply: '', closed: true });
  });

  it('ends forwarded connections and stops listening when closed', async () => {
    const peer = await namedEcho('peer');
    const f = await forwarder(() => peer);
    const open = net.connect({ host: '127.0.0.1', port: f.port });
    open.on('error', () => undefined);
    await new Promise<void>((resolve) => open.once('data', () => resolve()).write('x'));
    const ended = new Promise<void>((resolve) => open.once('close', () => resolve()));
    await f.close();
    await ended;
    const refused = await new Promise<string>((resolve) => net.connect({ host: '127.0.0.1', port: f.port }).once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? '')).once('connect', () => resolve('connected')));
    expect(refused).toBe('ECONNREFUSED');
  });
});
