/**
 * Decides whether an HTTP upgrade may become a WebSocket: the right path,
 * an allowed Origin (a browser always sends one; other web pages must not
 * reach the IDE), the token, and a per-address connection cap. A refused
 * upgrade gets a plain HTTP status and its socket is destroyed.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { wsPath } from '../config.ts';
import type { EdgeLogger } from '../ws/edgeLogger.ts';
import { tokenProtocolPrefix } from '../ws/wsEndpoint.ts';
import { tokenMatches } from './token.ts';
import { mainScope, type TokenAuthority, type TokenScope } from './tokenScope.ts';

export interface UpgradeGuardOptions {
  readonly token: string;
  /** Read on every upgrade: the default list is only known once the port is. */
  readonly allowedOrigins: () => ReadonlySet<string>;
  readonly maxConnectionsPerClient: number;
  readonly log: EdgeLogger;
  /** Also accepts the tokens it grants (workspace tokens); without it only `token` is accepted. */
  readonly authority?: TokenAuthority;
}

export interface UpgradeGuard {
  /** True when the upgrade may proceed; otherwise the refusal has been written and the socket destroyed. */
  admit(req: IncomingMessage, socket: Duplex): boolean;
  /** Open WebSocket sockets per remote address. */
  connectionsFrom(address: string): number;
  /** The scope the token of an admitted upgrade grants. */
  scopeOf(req: IncomingMessage): TokenScope | undefined;
}

export function createUpgradeGuard(options: UpgradeGuardOptions): UpgradeGuard {
  const { token, allowedOrigins, maxConnectionsPerClient, log } = options;
  const openByAddress = new Map<string, number>();
  const scopes = new WeakMap<IncomingMessage, TokenScope>();
  const verify = (given: string | undefined): TokenScope | undefined =>
    options.authority ? options.authority.verify(given) : tokenMatches(token, given) ? mainScope : undefined;

  return {
    admit(req, socket) {
      // Until ws takes the socket over, a reset must not become an uncaught error.
      socket.on('error', () => socket.destroy());
      const [pathname = '', rawQuery = ''] = (req.url ?? '').split('?', 2);
      const address = req.socket.remoteAddress ?? 'unknown';
      if (pathname !== wsPath) {
        refuse(socket, 404, `WebSocket connections go to ${wsPath}.`);
        return false;
      }
      const origin = req.headers.origin;
      if (origin === undefined || !allowedOrigins().has(origin)) {
        log.warn(`Refused a WebSocket from ${address}: origin ${origin === undefined ? '(none)' : JSON.stringify(origin)} is not allowed.`);
        refuse(socket, 403, 'This origin may not connect to Chaincode Studio.');
        return false;
      }
      const scope = verify(tokenFrom(rawQuery, req.headers['sec-websocket-protocol']));
      if (scope === undefined) {
        log.warn(`Refused a WebSocket from ${address}: missing or wrong token.`);
        refuse(socket, 403, 'A valid token is required. Open the URL the server printed at start-up.');
        return false;
      }
      const open = openByAddress.get(address) ?? 0;
      if (open >= maxConnectionsPerClient) {
        refuse(socket, 429, `Too many connections: at most ${maxConnectionsPerClient} from one address. Close some Chaincode Studio tabs.`);
        return false;
      }
      // Counted on the socket, not the WebSocket, so two simultaneous upgrades cannot both slip under the cap.
      openByAddress.set(address, open + 1);
      scopes.set(req, scope);
      socket.once('close', () => {
        const left = (openByAddress.get(address) ?? 1) - 1;
        if (left > 0) openByAddress.set(address, left);
        else openByAddress.delete(address);
      });
      return true;
    },

    connectionsFrom(address) {
      return openByAddress.get(address) ?? 0;
    },

    scopeOf(req) {
      return scopes.get(req);
    },
  };
}

/** The token from `?token=` or from a `token.<token>` subprotocol. */
function tokenFrom(rawQuery: string, protocolHeader: string | undefined): string | undefined {
  const fromQuery = new URLSearchParams(rawQuery).get('token');
  if (fromQuery !== null) return fromQuery;
  const protocol = (protocolHeader ?? '')
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(tokenProtocolPrefix));
  return protocol?.slice(tokenProtocolPrefix.length);
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}
