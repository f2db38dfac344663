/**
 * "Connect a client": what an application of the user's own, built with
 * `@hyperledger/fabric-gateway`, needs to reach a workspace's sandbox — the
 * Gateway endpoint the server forwards to the sandbox's peer (and nothing
 * else), the channel, the chaincode, the MSP ID, and a client identity the
 * sandbox's own CA issued for this purpose (never the admin's). The identity's
 * files and a connection profile are downloaded over HTTP with a token for the
 * workspace (`GET <prefix><workspace>/<file>?token=…`).
 */
import { z } from 'zod';

/** The files of a workspace's client connection, by the name the browser saves them as. */
export const ClientConnectionFile = z.enum(['connection-profile.json', 'client-cert.pem', 'client-key.pem']);
export type ClientConnectionFile = z.infer<typeof ClientConnectionFile>;

/** Where the files are served: `GET <prefix><workspace>/<file>?token=…`. */
export const clientConnectionPathPrefix = '/client-connection/';

/** The URL path of one file of a workspace's client connection (the client adds the token). */
export function clientConnectionPath(workspace: string, file: ClientConnectionFile): string {
  return `${clientConnectionPathPrefix}${encodeURIComponent(workspace)}/${file}`;
}

/** The result of `client/connection`. */
export const ClientConnection = z.object({
  workspace: z.string(),
  /** The Gateway endpoint as `host:port`, reachable from the machine the server runs on. */
  endpoint: z.string(),
  host: z.string(),
  port: z.number().int().min(1).max(65_535),
  /** True: plain gRPC (no TLS), as the dev-mode peer needs. */
  plaintext: z.boolean(),
  channel: z.string(),
  /** The chaincode name a client passes to `getContract` (the one running, else the one the next Run starts). */
  chaincodeName: z.string(),
  mspId: z.string(),
  /** The peer's name in the connection profile. */
  peerName: z.string(),
  /** The client identity's certificate (PEM) and its subject's common name; the key is only downloaded. */
  identity: z.object({ commonName: z.string(), certificate: z.string(), notAfter: z.string() }),
});
export type ClientConnection = z.infer<typeof ClientConnection>;
