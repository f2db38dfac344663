/**
 * Decides whether an HTTP upgrade may become a WebSocket: the right path,
 * an allowed Origin (a browser always sends one; other web pages must not
 * reach the IDE), the token, and connection caps per token and per address. A refused
 * upgrade gets a plain HTTP status and its socket is destroyed.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { wsPath } from '../config.ts';
import type { EdgeLogger } from '../ws/edgeLogger.ts';
import { tokenProtocolPrefix } from '../ws/wsEndpoint.ts';
import { tokenMatches } from './token.ts';
import { mainScope, scopeKey, type TokenAuthority, type TokenScope } from './tokenScope.ts';

export interface UpgradeGuardOptions {
  readonly token: string;
  /** Read on every upgrade: the default list is only known once the port is. */
  readonly allowedOrigins: () => ReadonlySet<string>;
  /** Open sockets one token's scope (one user) may hold. */
  readonly maxConnectionsPerToken: number;
  /** Open sockets one remote address may hold, all tokens together. */
  readonly maxConnectionsPerAddress: number;
  readonly log: EdgeLogger;
  /** Also accepts the tokens it grants (workspace tokens); without it only `token` is accepted. */
  readonly authority?: TokenAuthority;
}

export interface UpgradeGuard {
  /**
   * The scope the upgrade's token grants when it may proceed; otherwise undefined, with the
   * refusal written and the socket destroyed. The socket counts against the caps until it closes.
   */
  admit(req: IncomingMessage, socket: Duplex): Promise<TokenScope | undefined>;
}

export function createUpgradeGuard(options: UpgradeGuardOptions): UpgradeGuard {
  const { token, allowedOrigins, maxConnectionsPerToken, maxConnectionsPerAddress, log } = options;
  const openByAddress = createCounter();
  const openByScope = createCounter();
  const verify = async (given: string | undefined): Promise<TokenScope | undefined> =>
    options.authority ? options.authority.verify(given) : tokenMatches(token, given) ? mainScope : undefined;

  return {
    async admit(req, socket) {
      // Until ws takes the socket over, a reset must not become an uncaught error.
      socket.on('error', () => socket.destroy());
      const [pathname = '', rawQuery = ''] = (req.url ?? '').split('?', 2);
      const address = req.socket.remoteAddress ?? 'unknown';
      if (pathname !== wsPath) {
        refuse(socket, 404, `WebSocket connections go to ${wsPath}.`);
        return undefined;
      }
      const origin = req.headers.origin;
      if (origin === undefined || !allowedOrigins().has(origin)) {
        log.warn(`Refused a WebSocket from ${address}: origin ${origin === undefined ? '(none)' : JSON.stringify(origin)} is not allowed.`);
        refuse(socket, 403, 'This origin may not connect to Chaincode Studio.');
        return undefined;
      }
      const scope = await verify(tokenFrom(rawQuery, req.headers['sec-websocket-protocol']));
      if (scope === undefined) {
        log.warn(`Refused a WebSocket from ${address}: missing, wrong or expired token.`);
        refuse(socket, 403, 'A valid token is required: open the URL the server printed at start-up, or ask for a new workspace link.');
        return undefined;
      }
      if (socket.destroyed) return undefined;
      const user = scopeKey(scope);
      if (openByScope.count(user) >= maxConnectionsPerToken) {
        refuse(socket, 429, `Too many connections: at most ${maxConnectionsPerToken} with one token. Close some Chaincode Studio tabs.`);
        return undefined;
      }
      if (openByAddress.count(address) >= maxConnectionsPerAddress) {
        refuse(socket, 429, `Too many connections: at most ${maxConnectionsPerAddress} from one address. Close some Chaincode Studio tabs.`);
        return undefined;
      }
      // Counted on the socket, not the WebSocket, so two simultaneous upgrades cannot both slip under a cap.
      openByAddress.add(address);
      openByScope.add(user);
      socket.once('close', () => {
        openByAddress.remove(address);
        openByScope.remove(user);
      });
      return scope;
    },
  };
}

interface Counter {
  count(key: string): number;
  add(key: string): void;
  remove(key: string): void;
}

function createCounter(): Counter {
  const counts = new Map<string, number>();
  return {
    count: (key) => counts.get(key) ?? 0,
    add: (key) => counts.set(key, (counts.get(key) ?? 0) + 1),
    remove(key) {
      const left = (counts.get(key) ?? 1) - 1;
      if (left > 0) counts.set(key, left);
      else counts.delete(key);
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
