/**
 * The limits the WebSocket edge enforces, as one object so a test (or the
 * lead's config) can tighten them. Defaults come from server/config.ts.
 */
import {
  backpressurePollMs,
  maxBufferedBytes,
  maxConnectionsPerAddress,
  maxConnectionsPerToken,
  maxMessageBytes,
  maxRequestsInFlight,
  maxRequestsPerSecond,
  oversizeReplyMarginBytes,
} from '../config.ts';

export interface EdgeLimits {
  /** Largest message the server handles; larger ones get `too_large` and close 1009. */
  readonly maxMessageBytes: number;
  /** How far past maxMessageBytes a message is still read so its sender gets a reply. */
  readonly oversizeReplyMarginBytes: number;
  /** Above this much unsent data, log-like notifications are dropped; above twice this, the connection is closed (1013). */
  readonly maxBufferedBytes: number;
  /** WebSocket connections one token's scope (one user) may hold at once; more are refused with 429. */
  readonly maxConnectionsPerToken: number;
  /** WebSocket connections one remote address may hold at once, all tokens together; more are refused with 429. */
  readonly maxConnectionsPerAddress: number;
  /** Token bucket rate (and burst) per connection. */
  readonly maxRequestsPerSecond: number;
  /** Requests one connection may have unanswered at once. */
  readonly maxRequestsInFlight: number;
  /** How often a connection that dropped notifications checks whether the browser caught up. */
  readonly backpressurePollMs: number;
}

export const defaultEdgeLimits: EdgeLimits = {
  maxMessageBytes,
  oversizeReplyMarginBytes,
  maxBufferedBytes,
  maxConnectionsPerToken,
  maxConnectionsPerAddress,
  maxRequestsPerSecond,
  maxRequestsInFlight,
  backpressurePollMs,
};
