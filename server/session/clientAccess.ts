/**
 * "Connect a client" for one workspace: a Gateway forwarder on the server's
 * host to the attached sandbox's peer (opened on first use, kept for the
 * session, refusing connections while no sandbox runs), and the details and
 * files a client application needs — the endpoint, channel, chaincode, MSP ID,
 * the client identity the sandbox's CA issued, and a connection profile.
 */
import { X509Certificate } from 'node:crypto';
import os from 'node:os';
import type { ClientConnection, ClientConnectionFile } from '../../protocol/clientConnection.ts';
import { channelName, clientGatewayHost, clientGatewayMaxConnections, peerPort, sandboxOrgName, sandboxPeerName } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { buildConnectionProfile } from '../fabric/connectionProfile.ts';
import type { GatewayIdentity } from '../fabric/gateway.ts';
import { openGatewayForwarder, type GatewayForwarder } from '../sandbox/gatewayForwarder.ts';
import { sandboxPort } from '../sandbox/sandboxDriver.ts';
import type { SandboxLink } from './sandboxLink.ts';

/** One downloadable file of the client connection. */
export interface ClientFile {
  readonly fileName: ClientConnectionFile;
  readonly contentType: string;
  readonly body: string;
}

export interface ClientAccessOptions {
  readonly workspace: string;
  readonly link: SandboxLink;
  /** The chaincode name a client should use: the running one, else the one the next Run starts. */
  readonly chaincodeName: () => Promise<string>;
  /** Overrides config.clientGatewayHost. */
  readonly listenHost?: string;
}

export interface ClientAccess {
  /** The details, opening the forwarder if it is not open yet; fails while no sandbox runs. */
  connection(): Promise<ClientConnection>;
  /** One file: the identity's certificate or private key, or the connection profile. */
  file(name: ClientConnectionFile): Promise<ClientFile>;
  /** The forwarder, when open (tests look at its address). */
  readonly forwarder: GatewayForwarder | undefined;
  /** When a client last used the sandbox through the forwarder (now while one is connected; 0: never), for the idle stop. */
  readonly lastUseMs: number;
  close(): Promise<void>;
}

export function createClientAccess(options: ClientAccessOptions): ClientAccess {
  return new Access(options);
}

/** The address a client dials for a listener on `host`: a wildcard listener is reached by the machine's name. */
export function advertisedHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? os.hostname() : host;
}

function endpointOf(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

class Access implements ClientAccess {
  readonly #options: ClientAccessOptions;
  #forwarder: Promise<GatewayForwarder> | undefined;
  #opened: GatewayForwarder | undefined;
  #closed = false;
  #lastUseMs = 0;

  constructor(options: ClientAccessOptions) {
    this.#options = options;
  }

  get forwarder(): GatewayForwarder | undefined {
    return this.#opened;
  }

  get lastUseMs(): number {
    return this.#opened && this.#opened.connectionCount > 0 ? Date.now() : this.#lastUseMs;
  }

  async connection(): Promise<ClientConnection> {
    const { identity, forwarder } = await this.#prepare();
    const host = advertisedHost(this.#options.listenHost ?? clientGatewayHost);
    const certificate = parseCertificate(identity.certificate);
    return {
      workspace: this.#options.workspace,
      endpoint: endpointOf(host, forwarder.port),
      host,
      port: forwarder.port,
      plaintext: true,
      channel: channelName,
      chaincodeName: await this.#options.chaincodeName(),
      mspId: identity.mspId,
      peerName: sandboxPeerName,
      identity: { commonName: certificate.commonName, certificate: identity.certificate, notAfter: certificate.notAfter },
    };
  }

  async file(name: ClientConnectionFile): Promise<ClientFile> {
    if (name === 'connection-profile.json') {
      const c = await this.connection();
      const profile = buildConnectionProfile({
        name: `studio-${c.workspace}`,
        organization: sandboxOrgName,
        mspId: c.mspId,
        peerName: c.peerName,
        endpoint: c.endpoint,
        channel: c.channel,
      });
      return { fileName: name, contentType: 'application/json', body: `${JSON.stringify(profile, null, 2)}\n` };
    }
    const { identity } = await this.#prepare();
    if (name === 'client-cert.pem') return { fileName: name, contentType: 'application/x-pem-file', body: identity.certificate };
    return { fileName: name, contentType: 'application/x-pem-file', body: identity.privateKey };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const forwarder = this.#forwarder;
    this.#forwarder = undefined;
    this.#opened = undefined;
    await (await forwarder?.catch(() => undefined))?.close();
  }

  /** The client identity from the attached sandbox's agent, and the open forwarder. */
  async #prepare(): Promise<{ identity: GatewayIdentity; forwarder: GatewayForwarder }> {
    const handle = this.#options.link.handle;
    if (!handle) {
      throw new StudioError(ErrorCode.SandboxNotReady, 'The sandbox is not running: press Run to start it. Its own CA issues the client identity, and the Gateway endpoint forwards to its peer.');
    }
    if (handle.mode !== 'dev') throw new StudioError(ErrorCode.SandboxNotReady, `The sandbox runs in ${handle.mode} mode; clients connect to the IDE's dev-mode sandbox.`);
    const identity = await handle.agent.clientIdentity();
    return { identity, forwarder: await this.#openForwarder() };
  }

  #openForwarder(): Promise<GatewayForwarder> {
    if (this.#closed) return Promise.reject(new StudioError(ErrorCode.SandboxNotReady, 'The workspace is closing.'));
    this.#forwarder ??= openGatewayForwarder({
      listenHost: this.#options.listenHost ?? clientGatewayHost,
      maxConnections: clientGatewayMaxConnections,
      onActivity: () => (this.#lastUseMs = Date.now()),
      // Only ever the peer's Gateway port of the sandbox attached now: never the agent or the inspector.
      target: () => {
        const handle = this.#options.link.handle;
        return handle?.mode === 'dev' ? { host: handle.host, port: sandboxPort(handle, peerPort) } : undefined;
      },
    }).then(
      (forwarder) => (this.#opened = forwarder),
      (err: unknown) => {
        this.#forwarder = undefined;
        throw new StudioError(ErrorCode.Sandbox, `Could not open the Gateway endpoint for clients on ${this.#options.listenHost ?? clientGatewayHost} (STUDIO_CLIENT_GATEWAY_HOST): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      },
    );
    return this.#forwarder;
  }
}

/** The subject's common name and the expiry of a PEM certificate. */
export function parseCertificate(pem: string): { commonName: string; notAfter: string } {
  try {
    const certificate = new X509Certificate(pem);
    const commonName = /^CN=(.*)$/m.exec(certificate.subject)?.[1] ?? certificate.subject;
    return { commonName, notAfter: new Date(certificate.validTo).toISOString() };
  } catch (err) {
    throw new StudioError(ErrorCode.Sandbox, `The sandbox's client certificate cannot be read (${err instanceof Error ? err.message : String(err)}); destroy the sandbox and press Run for a new one.`, { cause: err });
  }
}
