/**
 * A TCP forwarder in the server process from one port on the host to one
 * sandbox's peer Gateway port, for the user's own client applications.
 * Sandbox networks are `internal`, so Docker publishes no port of theirs; and
 * a forwarder keeps them that way: it carries bytes to the one target it is
 * given (the peer's Gateway port, never the agent or the inspector), and
 * refuses connections while no sandbox runs.
 */
import net from 'node:net';

/** Where forwarded connections go. */
export interface ForwardTarget {
  readonly host: string;
  readonly port: number;
}

export interface GatewayForwarderOptions {
  /** Interface to listen on (loopback by default in config.clientGatewayHost). */
  readonly listenHost: string;
  /** 0 (the default) picks a free port. */
  readonly listenPort?: number;
  /** Where a new connection goes, read for each one; undefined refuses it (no sandbox is running). */
  readonly target: () => ForwardTarget | undefined;
  /** Connections held at once; more are refused. */
  readonly maxConnections: number;
  /** Called when a forwarded connection opens or ends (the sandbox is in use). */
  readonly onActivity?: () => void;
}

export interface GatewayForwarder {
  /** The address it listens on. */
  readonly host: string;
  readonly port: number;
  /** Client connections open now. */
  readonly connectionCount: number;
  /** Stops listening and ends every forwarded connection. Idempotent. */
  close(): Promise<void>;
}

/** Listens on `listenHost` and forwards each connection to `target()`. */
export async function openGatewayForwarder(options: GatewayForwarderOptions): Promise<GatewayForwarder> {
  const forwarder = new Forwarder(options);
  await forwarder.listen(options.listenHost, options.listenPort ?? 0);
  return forwarder;
}

class Forwarder implements GatewayForwarder {
  readonly #options: GatewayForwarderOptions;
  readonly #server: net.Server;
  /** Each forwarded connection: the client's socket and the one to the target. */
  readonly #pairs = new Set<readonly [net.Socket, net.Socket]>();
  #closing: Promise<void> | undefined;
  /** Kept from listen(), so the address is still known after close. */
  #address: net.AddressInfo = { address: '', family: '', port: 0 };

  constructor(options: GatewayForwarderOptions) {
    this.#options = options;
    this.#server = net.createServer((client) => this.#forward(client));
    this.#server.maxConnections = options.maxConnections;
  }

  get host(): string {
    return this.#address.address;
  }

  get port(): number {
    return this.#address.port;
  }

  get connectionCount(): number {
    return this.#pairs.size;
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        this.#address = this.#server.address() as net.AddressInfo;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const pair of this.#pairs) for (const socket of pair) socket.destroy();
    });
    return this.#closing;
  }

  #forward(client: net.Socket): void {
    const target = this.#closing ? undefined : this.#options.target();
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: target.host, port: target.port });
    // gRPC frames are small and latency-bound: no Nagle on either leg.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const pair = [client, upstream] as const;
    this.#pairs.add(pair);
    this.#options.onActivity?.();
    const end = () => {
      client.destroy();
      upstream.destroy();
      if (this.#pairs.delete(pair)) this.#options.onActivity?.();
    };
    for (const socket of pair) {
      socket.on('error', end);
      socket.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
