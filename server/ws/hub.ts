/**
 * Fan-out of server notifications. Connections subscribe to workspaces;
 * `publish` sends to every subscriber of a workspace, so two browser tabs on
 * one workspace see the same logs, status and debugger events.
 */
import type { Notification, NotificationName } from '../../protocol/messages.ts';
import { consoleEdgeLogger, type EdgeLogger } from './edgeLogger.ts';

/** What the hub publishes to, i.e. a connection. */
export interface HubMember {
  readonly id: string;
  /** `text` is `notification` serialized once for all members. Must not throw. */
  deliver(notification: Notification, text: string): void;
}

/** The part of the hub the rest of the server uses. */
export interface Hub {
  /** Sends to every connection subscribed to `workspace`. */
  publish<N extends NotificationName>(workspace: string, notification: Notification<N>): void;
  /** Open WebSocket connections. */
  readonly connectionCount: number;
  /** Connections subscribed to `workspace` (0 when nobody has it open). */
  subscriberCount(workspace: string): number;
}

/** The hub with the membership calls the WebSocket endpoint makes. */
export interface StudioHub extends Hub {
  join(member: HubMember): void;
  /** Removes the member and all its subscriptions. */
  leave(member: HubMember): void;
  subscribe(member: HubMember, workspace: string): void;
  unsubscribe(member: HubMember, workspace: string): void;
}

export function createHub(log: EdgeLogger = consoleEdgeLogger): StudioHub {
  return new NotificationHub(log);
}

class NotificationHub implements StudioHub {
  readonly #log: EdgeLogger;
  readonly #members = new Set<HubMember>();
  readonly #subscribers = new Map<string, Set<HubMember>>();
  readonly #subscriptions = new Map<HubMember, Set<string>>();

  constructor(log: EdgeLogger) {
    this.#log = log;
  }

  get connectionCount(): number {
    return this.#members.size;
  }

  subscriberCount(workspace: string): number {
    return this.#subscribers.get(workspace)?.size ?? 0;
  }

  publish<N extends NotificationName>(workspace: string, notification: Notification<N>): void {
    const members = this.#subscribers.get(workspace);
    if (members === undefined || members.size === 0) return;
    this.#deliver(members, notification);
  }

  join(member: HubMember): void {
    this.#members.add(member);
  }

  leave(member: HubMember): void {
    this.#members.delete(member);
    for (const workspace of this.#subscriptions.get(member) ?? []) this.#removeSubscriber(workspace, member);
    this.#subscriptions.delete(member);
  }

  subscribe(member: HubMember, workspace: string): void {
    if (!this.#members.has(member)) return;
    let members = this.#subscribers.get(workspace);
    if (members === undefined) {
      members = new Set();
      this.#subscribers.set(workspace, members);
    }
    members.add(member);
    let workspaces = this.#subscriptions.get(member);
    if (workspaces === undefined) {
      workspaces = new Set();
      this.#subscriptions.set(member, workspaces);
    }
    workspaces.add(workspace);
  }

  unsubscribe(member: HubMember, workspace: string): void {
    this.#removeSubscriber(workspace, member);
    this.#subscriptions.get(member)?.delete(workspace);
  }

  #removeSubscriber(workspace: string, member: HubMember): void {
    const members = this.#subscribers.get(workspace);
    if (members === undefined) return;
    members.delete(member);
    if (members.size === 0) this.#subscribers.delete(workspace);
  }

  #deliver(members: Iterable<HubMember>, notification: Notification): void {
    const text = serializeNotification(notification, this.#log);
    if (text === undefined) return;
    // A copy, so a member that closes while we deliver does not disturb the iteration.
    for (const member of [...members]) member.deliver(notification, text);
  }
}

/**
 * JSON of a notification, or undefined (logged) if it cannot be serialized.
 * Publishers are often stream callbacks; a throw there could take the process down.
 */
export function serializeNotification(notification: Notification, log: EdgeLogger): string | undefined {
  try {
    return JSON.stringify(notification);
  } catch (err) {
    log.error(`Notification ${notification.method} could not be serialized and was not sent:`, err);
    return undefined;
  }
}
