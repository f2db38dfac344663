/**
 * Every workspace session of the server: made on first use, found again after
 * a server restart (reattach, and removal of sandboxes whose workspace is
 * gone), capped (running sandboxes per user and in all), and stopped when
 * idle. Sandboxes that are starting count against the caps, so concurrent
 * Runs cannot pass a cap together; so do the warm pool's spares against the
 * global cap, and one is given up when a workspace needs its room.
 */
import type { LimitData } from '../../protocol/errorData.ts';
import { idleCheckMaxIntervalMs, idleCheckMinIntervalMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { SandboxDriver } from '../sandbox/sandboxDriver.ts';

/** What the registry needs of a session (WorkspaceSession in the server). */
export interface RegisteredSession {
  readonly workspace: string;
  /** Attached to a running sandbox. */
  readonly sandboxRunning: boolean;
  readonly transactionsInFlight: number;
  /** When the sandbox was last used (ms since the epoch). */
  readonly lastActivityMs: number;
  reattach(): Promise<void>;
  stop(options: { idle?: boolean }): Promise<unknown>;
  destroy(): Promise<unknown>;
  close(): Promise<void>;
}

export interface SessionRegistryOptions<S extends RegisteredSession> {
  readonly sandboxes: SandboxDriver;
  readonly workspaceExists: (workspace: string) => Promise<boolean>;
  readonly createSession: (workspace: string) => S;
  /** Connections that have the workspace open: an open workspace is never idle. */
  readonly subscriberCount: (workspace: string) => number;
  /** Running sandboxes one owner (one token) may have. */
  readonly maxPerUser: number;
  /** Running sandboxes of the whole server, whoever owns them. */
  readonly maxTotal: number;
  /** A sandbox unused and unopened this long is stopped; 0: never. */
  readonly idleStopMs: number;
  /** The warm pool's spares, which count against `maxTotal` (see warmPool.ts). */
  readonly spares?: { readonly count: number; yieldOne(): Promise<void> | undefined; check(): void };
}

export interface SessionRegistry<S extends RegisteredSession> {
  /** The session of an existing workspace, made on first use. */
  session(workspace: string): Promise<S>;
  /** The sessions made so far. */
  list(): S[];
  /**
   * Runs `fn`, which may start the sandbox of `session` for `owner` (a token's scope key), counting it
   * as starting until it settles. Refuses with ErrorCode.Limit when that would exceed a cap.
   */
  whileStarting<T>(session: S, owner: string, fn: () => Promise<T>): Promise<T>;
  /** Destroys the workspace's sandbox and forgets its session (the workspace is being deleted). */
  remove(workspace: string): Promise<void>;
  /** Reattaches to the sandboxes an earlier server process left running; removes those whose workspace is gone. */
  reattach(): Promise<void>;
  /** Lets go of every sandbox without stopping it. */
  close(): Promise<void>;
  /** Sandboxes of workspaces that run or are starting (the warm pool's spares not included). */
  inUse(): number;
  /** Runs (and resumed invokes) in progress: those counted as starting. */
  runsInProgress(): number;
}

/** Owner of sandboxes found running after a restart, whose starter is unknown. */
const mainOwner = 'main';

export function createSessionRegistry<S extends RegisteredSession>(options: SessionRegistryOptions<S>): SessionRegistry<S> {
  return new Registry(options);
}

class Registry<S extends RegisteredSession> implements SessionRegistry<S> {
  readonly #options: SessionRegistryOptions<S>;
  readonly #sessions = new Map<string, S>();
  /** Who started each workspace's sandbox. */
  readonly #owners = new Map<string, string>();
  /** Workspaces whose sandbox is being started. */
  readonly #starting = new Set<string>();
  readonly #idleTimer: NodeJS.Timeout | undefined;

  constructor(options: SessionRegistryOptions<S>) {
    this.#options = options;
    const { idleStopMs } = options;
    const intervalMs = Math.max(idleCheckMinIntervalMs, Math.min(idleCheckMaxIntervalMs, Math.floor(idleStopMs / 4)));
    this.#idleTimer = idleStopMs > 0 ? setInterval(() => void this.#stopIdleSandboxes(), intervalMs) : undefined;
    this.#idleTimer?.unref();
  }

  async session(workspace: string): Promise<S> {
    let s = this.#sessions.get(workspace);
    if (!s) {
      if (!(await this.#options.workspaceExists(workspace))) throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}". Create it from a sample first.`);
      s = this.#sessions.get(workspace) ?? this.#options.createSession(workspace);
      this.#sessions.set(workspace, s);
    }
    return s;
  }

  list(): S[] {
    return [...this.#sessions.values()];
  }

  async whileStarting<T>(session: S, owner: string, fn: () => Promise<T>): Promise<T> {
    const roomMade = this.#admit(session, owner);
    this.#starting.add(session.workspace);
    try {
      await roomMade;
      return await fn();
    } finally {
      this.#starting.delete(session.workspace);
      // The pool refills only between Runs.
      this.#options.spares?.check();
    }
  }

  /** Refuses one more sandbox over the per-user or the global cap; resolves once a spare that gave up its room is gone. */
  #admit(session: S, owner: string): Promise<void> | undefined {
    if (session.sandboxRunning) return undefined;
    const { maxPerUser, maxTotal } = this.#options;
    const running = [...this.#sessions.values()].filter((o) => o !== session && (o.sandboxRunning || this.#starting.has(o.workspace)));
    const owned = running.filter((o) => (this.#owners.get(o.workspace) ?? mainOwner) === owner);
    const yours = owned.map((o) => o.workspace);
    // Stop sandbox is what frees a slot (the chaincode's Stop leaves the sandbox running), and it keeps files and ledger.
    const howToFree = 'Stop the sandbox of one of them (Sandbox ▸ Stop sandbox; its files and ledger are kept), then press Run again.';
    if (owned.length >= maxPerUser) {
      const data: LimitData = { limit: 'user', max: maxPerUser, running: yours };
      throw new StudioError(ErrorCode.Limit, `You already have ${owned.length} sandboxes running (${yours.join(', ')}); the limit is ${maxPerUser} running sandboxes per user. ${howToFree}`, { data });
    }
    // At the cap a spare gives its room up to the workspace (which then starts a sandbox of its own).
    const spares = this.#options.spares;
    const full = running.length + (spares?.count ?? 0) >= maxTotal;
    const roomMade = full && running.length < maxTotal ? spares?.yieldOne() : undefined;
    if (full && roomMade === undefined) {
      const data: LimitData = { limit: 'server', max: maxTotal, running: yours };
      const action = yours.length > 0 ? `Stop the sandbox of one of yours (${yours.join(', ')}) with Sandbox ▸ Stop sandbox, or try again when others have stopped.` : 'None of them is yours: try again when others have stopped, or ask the server\'s operator to raise STUDIO_MAX_SANDBOXES_TOTAL.';
      throw new StudioError(ErrorCode.Limit, `This server already runs ${running.length} sandboxes; its limit is ${maxTotal} running sandboxes in all. ${action}`, { data });
    }
    this.#owners.set(session.workspace, owner);
    return roomMade;
  }

  async remove(workspace: string): Promise<void> {
    const s = this.#sessions.get(workspace);
    if (s) {
      await s.destroy();
      await s.close();
      this.#sessions.delete(workspace);
    } else await this.#options.sandboxes.destroy(workspace);
    this.#owners.delete(workspace);
  }

  async reattach(): Promise<void> {
    for (const { workspace, running } of await this.#options.sandboxes.list()) {
      // A sandbox whose workspace is gone (deleted while the server was down) is cleaned up.
      if (!(await this.#options.workspaceExists(workspace))) {
        await this.#options.sandboxes.destroy(workspace).catch((err: unknown) => console.error(`Could not remove the orphaned sandbox of ${workspace}: ${String(err)}`));
        continue;
      }
      if (!running) continue;
      const s = await this.session(workspace);
      await s.reattach().catch((err: unknown) => console.error(`Could not reattach to the sandbox of ${workspace}: ${String(err)}`));
    }
  }

  runsInProgress(): number {
    return this.#starting.size;
  }

  inUse(): number {
    return [...this.#sessions.values()].filter((s) => s.sandboxRunning || this.#starting.has(s.workspace)).length;
  }

  async close(): Promise<void> {
    if (this.#idleTimer) clearInterval(this.#idleTimer);
    await Promise.all([...this.#sessions.values()].map((s) => s.close()));
    this.#sessions.clear();
  }

  async #stopIdleSandboxes(): Promise<void> {
    for (const s of this.#sessions.values()) {
      if (!s.sandboxRunning || s.transactionsInFlight > 0 || this.#options.subscriberCount(s.workspace) > 0) continue;
      if (Date.now() - s.lastActivityMs < this.#options.idleStopMs) continue;
      await s.stop({ idle: true }).catch((err: unknown) => console.error(`Could not stop the idle sandbox of ${s.workspace}: ${String(err)}`));
    }
  }
}
