/**
 * A Fabric common connection profile (the JSON the Fabric SDKs and samples
 * read: `name`, `version`, `client.organization`, `organizations`, `peers`,
 * `channels`) for one org with one peer.
 */

export interface ConnectionProfileOptions {
  /** The profile's name, e.g. `studio-<workspace>`. */
  readonly name: string;
  /** The org's name (the key under `organizations`). */
  readonly organization: string;
  readonly mspId: string;
  /** The peer's name (the key under `peers`). */
  readonly peerName: string;
  /** `host:port` of the peer's Gateway as the client reaches it. */
  readonly endpoint: string;
  /** For a peer over TLS (`grpcs://`): the CA that signed its certificate (PEM) and the name the certificate holds, when the endpoint is not it. Plaintext (`grpc://`) without. */
  readonly tls?: { readonly rootCert: string; readonly hostname?: string };
  /** The channel the peer is joined to. */
  readonly channel: string;
}

export interface ConnectionProfile {
  name: string;
  version: string;
  client: { organization: string; connection: { timeout: { peer: { endorser: string } } } };
  organizations: Record<string, { mspid: string; peers: string[] }>;
  peers: Record<string, { url: string; tlsCACerts?: { pem: string }; grpcOptions?: Record<string, string> }>;
  channels: Record<string, { peers: Record<string, { endorsingPeer: boolean; chaincodeQuery: boolean; ledgerQuery: boolean; eventSource: boolean }> }>;
}

/** The profile's format version; the SDKs accept 1.0.0. */
export const connectionProfileVersion = '1.0.0';

export function buildConnectionProfile(options: ConnectionProfileOptions): ConnectionProfile {
  const { tls } = options;
  const peer: ConnectionProfile['peers'][string] = tls
    ? { url: `grpcs://${options.endpoint}`, tlsCACerts: { pem: tls.rootCert }, ...(tls.hostname ? { grpcOptions: { 'ssl-target-name-override': tls.hostname } } : {}) }
    : { url: `grpc://${options.endpoint}` };
  return {
    name: options.name,
    version: connectionProfileVersion,
    client: { organization: options.organization, connection: { timeout: { peer: { endorser: '300' } } } },
    organizations: { [options.organization]: { mspid: options.mspId, peers: [options.peerName] } },
    peers: { [options.peerName]: peer },
    channels: { [options.channel]: { peers: { [options.peerName]: { endorsingPeer: true, chaincodeQuery: true, ledgerQuery: true, eventSource: true } } } },
  };
}
