/**
 * What a request handler is given and what it must return. The lead's app
 * module supplies one handler per method; the dispatcher validates params
 * against the protocol schema before a handler ever sees them.
 */
import type { Method, Notification, NotificationName, ParamsOf, ResultOf } from '../../protocol/messages.ts';
import type { TokenScope } from '../http/tokenScope.ts';

/** The connection a request arrived on. One object per connection, shared by all its requests. */
export interface RequestContext {
  /** Unique for the life of the server process, e.g. `c17`. */
  readonly connectionId: string;
  /** The peer's IP address as the socket reports it. */
  readonly remoteAddress: string;
  /** What the connection's token allows; the dispatcher has already refused requests outside it. */
  readonly scope: TokenScope;
  /**
   * Aborted when the connection closes. Handlers that wait (a paused
   * transaction, a long build) can stop early; remove listeners you add, since
   * this signal lives as long as the connection.
   */
  readonly signal: AbortSignal;
  /** From now on this connection receives the workspace's notifications (`hub.publish`). Idempotent. */
  subscribe(workspace: string): void;
  /** Stops the workspace's notifications to this connection. Idempotent. */
  unsubscribe(workspace: string): void;
  /** Sends a notification to this connection only. */
  notify<N extends NotificationName>(notification: Notification<N>): void;
}

/** One handler per method; a method left out answers `unknown_method` ("not available"). */
export type Handlers = {
  [M in Method]?: (params: ParamsOf<M>, ctx: RequestContext) => Promise<ResultOf<M>>;
};
