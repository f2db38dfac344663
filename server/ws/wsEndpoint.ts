/**
 * The one WebSocket endpoint. It does not listen itself (`noServer`): the
 * HTTP server checks origin, token and connection count, then hands the
 * upgrade here.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { wsCloseGraceMs } from '../config.ts';
import { createDispatcher } from './dispatcher.ts';
import { CloseCode, StudioConnection } from './connection.ts';
import type { EdgeLimits } from './edgeLimits.ts';
import type { EdgeLogger } from './edgeLogger.ts';
import type { Handlers } from './handlers.ts';
import type { StudioHub } from './hub.ts';
import type { TokenScope } from '../http/tokenScope.ts';

/** A subprotocol of this form carries the token, for clients that cannot put it in the URL. */
export const tokenProtocolPrefix = 'token.';

export interface WsEndpointOptions {
  readonly hub: StudioHub;
  readonly handlers: Handlers;
  readonly limits: EdgeLimits;
  readonly log: EdgeLogger;
  /** Whether a connection's scope still holds; see TokenAuthority.isCurrent. */
  readonly scopeIsCurrent?: (scope: TokenScope) => Promise<boolean>;
}

export interface WsEndpoint {
  /** Completes an upgrade the caller has already authorized, for a token granting `scope`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, scope: TokenScope): void;
  /** Closes every connection (1001) and waits until they are gone. */
  close(): Promise<void>;
}

export function createWsEndpoint(options: WsEndpointOptions): WsEndpoint {
  const { hub, handlers, limits, log } = options;
  const dispatcher = createDispatcher({ handlers, log, ...(options.scopeIsCurrent ? { scopeIsCurrent: options.scopeIsCurrent } : {}) });
  const connections = new Set<StudioConnection>();
  let nextId = 1;

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    // Slightly over the limit, so a too-large request can still be answered by id (see oversizeReplyMarginBytes).
    maxPayload: limits.maxMessageBytes + limits.oversizeReplyMarginBytes,
    // A browser that offers subprotocols must get one of them back. Prefer one that is not the token.
    handleProtocols: (protocols) => {
      const offered = [...protocols];
      return offered.find((p) => !p.startsWith(tokenProtocolPrefix)) ?? offered[0] ?? false;
    },
  });

  return {
    handleUpgrade(req, socket, head, scope) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        const connection = new StudioConnection({
          ws,
          id: `c${nextId++}`,
          remoteAddress: req.socket.remoteAddress ?? 'unknown',
          scope,
          hub,
          dispatcher,
          limits,
          log,
        });
        connections.add(connection);
        void connection.closed.then(() => connections.delete(connection));
      });
    },

    async close() {
      await Promise.all(
        [...connections].map(async (connection) => {
          const timer = setTimeout(() => connection.terminate(), wsCloseGraceMs);
          connection.close(CloseCode.GoingAway, 'Server shutting down');
          await connection.closed;
          clearTimeout(timer);
        }),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
