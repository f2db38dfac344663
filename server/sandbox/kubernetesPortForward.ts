/**
 * How a server outside the cluster reaches a sandbox pod: a loopback address
 * of its own (127.x.y.z, from the pod's name) listening on each sandbox port,
 * every connection carried by the API server's port-forward to the same port
 * of the pod. A port this machine already listens on for every address (a
 * Fabric peer of the developer's own on *:7051) is forwarded from a free port
 * instead, which the handle names (SandboxHandle.ports).
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import { k8sForwardedPorts } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';

export interface PodForward {
  /** The loopback address whose sandbox ports lead to the pod. */
  readonly host: string;
  /** Sandbox ports forwarded from another port of `host` (theirs was taken); absent when none was. */
  readonly ports?: Readonly<Record<number, number>>;
  close(): Promise<void>;
}

/** A loopback address for `podName` (never 127.0.0.x, where the host's own services are). */
export function loopbackAddressFor(podName: string): string {
  const h = createHash('sha256').update(`${podName}/0`).digest();
  return `127.${1 + ((h[0] ?? 0) % 254)}.${h[1] ?? 0}.${1 + ((h[2] ?? 0) % 254)}`;
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Forwards the sandbox ports of pod `podName` in `namespace` from a loopback address of its own. */
export async function forwardPod(kubeConfig: KubeConfig, namespace: string, podName: string): Promise<PodForward> {
  const forward = new PortForward(kubeConfig, true);
  const sockets = new Set<net.Socket>();

  const connect = (socket: net.Socket, port: number) => {
    sockets.add(socket);
    // The client writes into `input` as the socket's data arrives; it pauses nothing, so the socket never backs up here.
    const input = new PassThrough();
    socket.pipe(input);
    let closed = false;
    const close = (ws?: { close(): void }) => {
      if (closed) return;
      closed = true;
      sockets.delete(socket);
      socket.destroy();
      ws?.close();
    };
    let ws: { close(): void } | undefined;
    // The pod's error channel (e.g. nothing listens on the port): the connection is over.
    const errors = new Writable({
      write(chunk: Buffer, _encoding, done) {
        // The first frame of each channel only names the port (empty once the client strips it).
        if (chunk.length > 0) close(ws);
        done();
      },
    });
    forward.portForward(namespace, podName, [port], socket, errors, input).then(
      (result) => {
        ws = (typeof result === 'function' ? result() : result) ?? undefined;
        if (!ws) return close();
        const open = ws as unknown as { on(event: 'close' | 'error', fn: () => void): void; close(): void };
        open.on('close', () => close());
        open.on('error', () => close(open));
        socket.on('close', () => close(open));
        socket.on('error', () => close(open));
        if (closed) open.close();
      },
      () => close(),
    );
  };

  const host = loopbackAddressFor(podName);
  const servers: net.Server[] = [];
  const moved: Record<number, number> = {};
  try {
    for (const port of k8sForwardedPorts) {
      let server = net.createServer((socket) => connect(socket, port));
      servers.push(server);
      try {
        await listen(server, host, port);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        // Taken (for every address, or by another pod of the same hashed address): any free port will do.
        servers.pop();
        server = net.createServer((socket) => connect(socket, port));
        servers.push(server);
        await listen(server, host, 0);
        moved[port] = (server.address() as net.AddressInfo).port;
      }
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw new StudioError(ErrorCode.Sandbox, `Cannot listen on ${host} to forward the sandbox pod ${podName}: ${(err as Error).message}`, { cause: err });
  }
  return {
    host,
    ...(Object.keys(moved).length > 0 ? { ports: moved } : {}),
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
