/**
 * The contract between the IDE and whatever engine runs its sandboxes (Docker
 * today). Sessions, the registry, export and deploy depend only on this, so a
 * new engine is one more implementation of {@link SandboxDriver}.
 */
import type { AgentClient } from './agentClient.ts';

/**
 * `dev`: the peer in dev mode, plaintext, the agent runs the chaincode (the IDE's sandbox).
 * `production`: TLS on, no dev mode, chaincode deployed from outside and built by the peer's external builders.
 */
export type SandboxMode = 'dev' | 'production';

/** Reports a step of starting a sandbox (`image`, `container`, `network`, ...) with a message for the user. */
export type SandboxProgressFn = (step: string, message: string) => void;

/** Options of {@link SandboxDriver.start}. */
export interface SandboxStartOptions {
  /** Fixed when the sandbox is created; defaults to `dev`. */
  readonly mode?: SandboxMode;
}

/** A running sandbox: where it is and the agent inside it. */
export interface SandboxHandle {
  readonly workspace: string;
  readonly mode: SandboxMode;
  /** The engine's name for the sandbox (the container name on Docker). */
  readonly containerName: string;
  /** The sandbox's address, reachable from the server only. */
  readonly host: string;
  /**
   * Sandbox ports reached on `host` under another number (a port-forward that found the port taken
   * on this machine); a port not listed is reached at its own number. See {@link sandboxPort}.
   */
  readonly ports?: Readonly<Record<number, number>>;
  readonly agent: AgentClient;
  /** Host dir mounted read-only at /chaincode; the build goes to `<buildDir>/app`. */
  readonly buildDir: string;
}

/** The port on `handle.host` that leads to the sandbox's `port`. */
export const sandboxPort = (handle: Pick<SandboxHandle, 'ports'>, port: number): number => handle.ports?.[port] ?? port;

/** A driver's `start` from its `doStart`: a start of a workspace whose sandbox is already starting gets that start's promise. */
export function oneStartPerWorkspace(doStart: (workspace: string, progress: SandboxProgressFn, mode: SandboxMode) => Promise<SandboxHandle>): SandboxDriver['start'] {
  const starting = new Map<string, Promise<SandboxHandle>>();
  return (workspace, progress, options = {}) => {
    let pending = starting.get(workspace);
    if (!pending) {
      pending = doStart(workspace, progress, options.mode ?? 'dev').finally(() => starting.delete(workspace));
      starting.set(workspace, pending);
    }
    return pending;
  };
}

/** One sandbox this server owns, running or not. */
export interface SandboxSummary {
  readonly workspace: string;
  readonly running: boolean;
}

/** A spare sandbox this server owns, left by this or an earlier server process. */
export interface SpareSummary {
  readonly id: string;
  readonly running: boolean;
}

/**
 * Sandboxes started ahead of demand (the warm pool's): dev mode, network and
 * channel up, fresh keys, no chaincode, no workspace. A claimed spare becomes
 * the workspace's sandbox for good; it never goes back to the pool.
 */
export interface SpareSandboxes {
  /** Creates and starts the spare `id` (lowercase letters and digits) and waits until its Fabric network is ready. */
  start(id: string, progress: SandboxProgressFn): Promise<void>;
  /**
   * Makes the running spare `id` the sandbox of `workspace`, which must have none: the
   * workspace's build dir becomes the one the spare mounts (what was built there moves in).
   */
  claim(id: string, workspace: string): Promise<SandboxHandle>;
  /** Removes a spare, its network, ledger disk and build dir. Idempotent; a spare already claimed is a workspace's and stays. */
  destroy(id: string): Promise<void>;
  /** The spares not yet claimed, running or not. */
  list(): Promise<SpareSummary[]>;
}

export interface SandboxDriver {
  /** The name prefix of this server's sandboxes (STUDIO_INSTANCE). */
  readonly instance: string;
  /** The build dir for a workspace's sandbox (exists before the sandbox does). */
  buildDir(workspace: string): string;
  /** Starts (creating if needed) the sandbox and waits until its Fabric network is ready. */
  start(workspace: string, progress: SandboxProgressFn, options?: SandboxStartOptions): Promise<SandboxHandle>;
  /** The running sandbox, if any, without starting one (reattaches after a server restart). */
  find(workspace: string): Promise<SandboxHandle | undefined>;
  /** Stops the sandbox; its ledger disk stays. */
  stop(workspace: string): Promise<void>;
  /** Removes the sandbox, its network, its ledger disk and its build dir. */
  destroy(workspace: string): Promise<void>;
  /** The sandboxes of this server (running or not), never another server's. */
  list(): Promise<SandboxSummary[]>;
  /** Memory use of the sandbox in bytes, when the engine reports it. */
  memoryBytes(workspace: string): Promise<number | undefined>;
  /** True when the workspace has a sandbox or a ledger disk (whoever made it): it must not take a spare. */
  exists(workspace: string): Promise<boolean>;
  readonly spares: SpareSandboxes;
}
