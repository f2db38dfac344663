/**
 * The warm pool: a few sandboxes started ahead of demand (network and channel
 * up, fresh keys, no chaincode, no workspace), so Run on a new workspace
 * claims one instead of waiting for Fabric to start. A claimed spare becomes
 * that workspace's for good; it is never handed to anyone else, so no user's
 * ledger, keys or build ever reach another workspace.
 *
 * The pool refills one spare at a time in the background. Spares count
 * against the server's cap on running sandboxes: the pool fills only into
 * room the workspaces leave, and gives a spare up when a workspace needs the
 * room. While the machine is busy it shrinks to nothing and waits.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { warmPoolBusyLoadPerCore, warmPoolCheckIntervalMs, warmPoolMinFreeMemoryBytes } from '../config.ts';
import type { SandboxHandle, SpareSandboxes } from '../sandbox/sandboxDriver.ts';

export interface WarmPoolOptions {
  readonly spares: SpareSandboxes;
  /** Whether a workspace already has a sandbox or a ledger disk (SandboxDriver.exists): then it takes no spare. */
  readonly exists: (workspace: string) => Promise<boolean>;
  /** Spares to keep ready (STUDIO_WARM_SANDBOXES); 0 turns the pool off. */
  readonly size: number;
  /** The server's cap on running sandboxes, spares included. */
  readonly maxTotal: number;
  /** Sandboxes the workspaces run or are starting (not the spares). */
  readonly sandboxesInUse: () => number;
  /** Runs in progress (compiling, starting a sandbox or a chaincode): the pool starts no spare meanwhile, so a Run never competes with a refill. */
  readonly runsInProgress?: () => number;
  /** True while the machine is too busy to keep spares (default: load average and free memory). */
  readonly busy?: () => boolean;
  readonly checkIntervalMs?: number;
  readonly log?: (message: string) => void;
  /** Told the pool's size each time it changes: as spares start, become ready, are claimed or given up (the metrics' gauge). */
  readonly onSizeChange?: (size: PoolSize) => void;
  /** Told, for each new workspace's sandbox, whether a spare served it (warm) or one must be started (cold): the metrics' counter. */
  readonly onNewSandbox?: (outcome: 'warm' | 'cold') => void;
}

/** Spares ready to be claimed, and spares still starting. */
export interface PoolSize {
  readonly ready: number;
  readonly starting: number;
}

export interface WarmPool {
  /** Spares ready or starting: they count against the cap. */
  readonly count: number;
  /** Spares ready to be claimed. */
  readonly ready: number;
  /** Takes a ready spare for `workspace` (which has no sandbox); undefined when none is ready or the claim failed. */
  claim(workspace: string): Promise<SandboxHandle | undefined>;
  /** Looks again whether to refill or shrink now (the registry calls it when a Run ends). */
  check(): void;
  /** {@link claim}, for a workspace that has neither a sandbox nor a ledger yet; undefined for any other. */
  claimIfNew(workspace: string): Promise<SandboxHandle | undefined>;
  /**
   * Gives up one spare so a workspace can have its room: at once it no longer counts, and the
   * promise resolves once it is removed. Undefined when there is none to give up.
   */
  yieldOne(): Promise<void> | undefined;
  /** Takes over the spares an earlier server process left, then fills the pool. */
  start(): Promise<void>;
  /** Resolves once `size` spares are ready (for tests and the bench). */
  whenFull(): Promise<void>;
  /** Stops filling; ready spares keep running for the next server process. */
  close(): void;
  /** Stops filling and removes every spare (tests). */
  destroyAll(): Promise<void>;
}

/** Busy: the 1-minute load average per core, or too little free memory for one more sandbox. */
export function machineBusy(): boolean {
  return os.loadavg()[0]! / os.cpus().length >= warmPoolBusyLoadPerCore || os.freemem() < warmPoolMinFreeMemoryBytes;
}

export function createWarmPool(options: WarmPoolOptions): WarmPool {
  return new Pool(options);
}

class Pool implements WarmPool {
  readonly #options: WarmPoolOptions;
  readonly #ready: string[] = [];
  /** The spare being started (one at a time), and its start. */
  #starting: { readonly id: string; readonly done: Promise<void>; yielded: boolean } | undefined;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #fullWaiters: (() => void)[] = [];
  /** After a failed start, no new one before this time (ms since the epoch). */
  #retryAfterMs = 0;
  /** The size last told to onSizeChange. */
  #reported: PoolSize | undefined;

  constructor(options: WarmPoolOptions) {
    this.#options = options;
  }

  get count(): number {
    return this.#ready.length + (this.#starting && !this.#starting.yielded ? 1 : 0);
  }

  get ready(): number {
    return this.#ready.length;
  }

  async claim(workspace: string): Promise<SandboxHandle | undefined> {
    const id = this.#ready.shift();
    if (id === undefined) return undefined;
    this.#reportSize();
    this.#tick();
    try {
      const handle = await this.#options.spares.claim(id, workspace);
      this.#log(`Workspace ${workspace} took a warm sandbox`);
      return handle;
    } catch (err) {
      this.#log(`A warm sandbox could not be claimed (${err instanceof Error ? err.message : String(err)}); starting one instead`);
      void this.#destroy(id);
      return undefined;
    }
  }

  check(): void {
    this.#tick();
  }

  async claimIfNew(workspace: string): Promise<SandboxHandle | undefined> {
    if (await this.#options.exists(workspace)) return undefined;
    const handle = this.#ready.length === 0 ? undefined : await this.claim(workspace);
    this.#options.onNewSandbox?.(handle ? 'warm' : 'cold');
    return handle;
  }

  yieldOne(): Promise<void> | undefined {
    const id = this.#ready.pop();
    if (id !== undefined) {
      this.#reportSize();
      return this.#destroy(id);
    }
    const starting = this.#starting;
    if (!starting || starting.yielded) return undefined;
    // Removing it makes its start fail; the start's own cleanup then finds nothing left.
    starting.yielded = true;
    this.#reportSize();
    return this.#destroy(starting.id);
  }

  async start(): Promise<void> {
    for (const spare of await this.#options.spares.list()) {
      if (spare.running && this.#ready.length < this.#options.size) this.#ready.push(spare.id);
      else await this.#destroy(spare.id);
    }
    this.#reportSize();
    if (this.#options.size <= 0) return;
    this.#timer = setInterval(() => this.#tick(), this.#options.checkIntervalMs ?? warmPoolCheckIntervalMs);
    this.#timer.unref();
    this.#tick();
  }

  whenFull(): Promise<void> {
    if (this.#ready.length >= this.#options.size) return Promise.resolve();
    return new Promise((resolve) => this.#fullWaiters.push(resolve));
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
  }

  async destroyAll(): Promise<void> {
    this.close();
    await this.#starting?.done;
    const ids = this.#ready.splice(0);
    this.#reportSize();
    await Promise.all(ids.map((id) => this.#destroy(id)));
    for (const spare of await this.#options.spares.list()) await this.#destroy(spare.id);
  }

  /** How many spares there may be now: the size, within the cap's room, none while busy. */
  #wanted(): number {
    const { size, maxTotal, sandboxesInUse, busy = machineBusy } = this.#options;
    if (busy()) return 0;
    return Math.max(0, Math.min(size, maxTotal - sandboxesInUse()));
  }

  #tick(): void {
    if (this.#closed) return;
    const wanted = this.#wanted();
    while (this.count > wanted && this.yieldOne()) this.#log('Gave up a warm sandbox (the machine is busy, or the sandbox cap needs the room)');
    // One at a time, and not while a Run is in progress: starting Fabric is the expensive part, and users come first.
    const runs = this.#options.runsInProgress?.() ?? 0;
    if (this.count < wanted && !this.#starting && runs === 0 && Date.now() >= this.#retryAfterMs) this.#startOne();
  }

  #startOne(): void {
    const id = randomBytes(5).toString('hex');
    const started = performance.now();
    const starting = { id, yielded: false, done: Promise.resolve() };
    starting.done = this.#options.spares.start(id, () => undefined).then(
      () => {
        if (starting.yielded) return;
        // Ready, so no longer starting: it must not count twice.
        if (this.#starting === starting) this.#starting = undefined;
        this.#ready.push(id);
        this.#reportSize();
        this.#log(`Warm sandbox ready in ${Math.round(performance.now() - started)} ms (${this.#ready.length} of ${this.#options.size} ready)`);
        if (this.#ready.length >= this.#options.size) for (const resolve of this.#fullWaiters.splice(0)) resolve();
      },
      (err: unknown) => {
        if (starting.yielded) return;
        this.#retryAfterMs = Date.now() + (this.#options.checkIntervalMs ?? warmPoolCheckIntervalMs);
        this.#log(`A warm sandbox failed to start: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
    this.#starting = starting;
    this.#reportSize();
    void starting.done.then(() => {
      if (this.#starting === starting) this.#starting = undefined;
      this.#reportSize();
      this.#tick();
    });
  }

  async #destroy(id: string): Promise<void> {
    await this.#options.spares.destroy(id).catch((err: unknown) => this.#log(`Could not remove the warm sandbox ${id}: ${String(err)}`));
  }

  #reportSize(): void {
    const size = { ready: this.ready, starting: this.count - this.ready };
    if (this.#reported?.ready === size.ready && this.#reported.starting === size.starting) return;
    this.#reported = size;
    this.#options.onSizeChange?.(size);
  }

  #log(message: string): void {
    (this.#options.log ?? console.log)(message);
  }
}
