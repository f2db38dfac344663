/**
 * The application: the request handlers behind every protocol method, wired
 * to the workspace store, the sandboxes, the Gateway and the debugger.
 */
import type Docker from 'dockerode';
import type { Notification, NotificationName } from '../protocol/messages.ts';
import { idleSandboxStopMs, maxSandboxesPerUser, samplesDir } from './config.ts';
import { ErrorCode, StudioError } from './errors.ts';
import { createDeployments } from './deploy/deployService.ts';
import { createExports, type Exports } from './export/exportService.ts';
import type { DownloadResolver } from './http/index.ts';
import { scopeKey, type TokenAuthority, type TokenScope } from './http/tokenScope.ts';
import { createSandboxManager, type SandboxManager } from './sandbox/sandboxManager.ts';
import { WorkspaceSession } from './session/workspaceSession.ts';
import { createWorkspaceStore, type WorkspaceStore } from './workspace/workspaceStore.ts';
import type { Handlers, Hub } from './ws/index.ts';

export interface AppOptions {
  dataDir: string;
  docker: Docker;
  /** Set once the HTTP server exists; notifications before that are dropped. */
  hub: () => Hub | undefined;
  /** Distinguishes this server's sandboxes on a shared Docker (tests use their own). */
  instance?: string;
  /** Issues the workspace token that `workspace/open` returns; without it none is returned. */
  tokens?: TokenAuthority;
  /** Overrides config.idleSandboxStopMs (0: never stop idle sandboxes). */
  idleStopMs?: number;
  /** Overrides config.maxSandboxesPerUser. */
  maxSandboxesPerUser?: number;
}

export interface App {
  readonly handlers: Handlers;
  readonly downloads: DownloadResolver;
  readonly store: WorkspaceStore;
  readonly sandboxes: SandboxManager;
  session(workspace: string): Promise<WorkspaceSession>;
  /** Reattaches to sandboxes an earlier server process left running. */
  reattach(): Promise<void>;
  /** Lets go of every sandbox without stopping it. */
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const store = createWorkspaceStore({ dataDir: options.dataDir, samplesDir });
  const sandboxes = createSandboxManager({ docker: options.docker, dataDir: options.dataDir, ...(options.instance ? { instance: options.instance } : {}) });
  const sessions = new Map<string, WorkspaceSession>();
  const exportsService: Exports = createExports({ dataDir: options.dataDir, store, sandboxes });
  const deployments = createDeployments({ dataDir: options.dataDir, store, downloads: (id) => exportsService.download(id) });

  const publish = <N extends NotificationName>(workspace: string, n: Notification<N>) => options.hub()?.publish(workspace, n);
  const maxPerUser = options.maxSandboxesPerUser ?? maxSandboxesPerUser;
  const idleStopMs = options.idleStopMs ?? idleSandboxStopMs;
  /** Who started each workspace's sandbox (a token's scope key); sandboxes found after a restart count for the main token. */
  const owners = new Map<string, string>();
  /** Workspaces whose sandbox is being started, counted against the cap before they run. */
  const starting = new Set<string>();

  async function session(workspace: string): Promise<WorkspaceSession> {
    let s = sessions.get(workspace);
    if (!s) {
      if (!(await store.exists(workspace))) throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}". Create it from a sample first.`);
      s = new WorkspaceSession({ workspace, workspaceDir: store.dir(workspace), sandboxes, publish: (n) => publish(workspace, n) });
      sessions.set(workspace, s);
    }
    return s;
  }

  /** Refuses to start one more sandbox for a user who already runs maxSandboxesPerUser of them. */
  function admitSandbox(s: WorkspaceSession, scope: TokenScope): void {
    if (s.sandboxRunning) return;
    const key = scopeKey(scope);
    const running = [...sessions.values()].filter((o) => o !== s && (o.sandboxRunning || starting.has(o.workspace)) && (owners.get(o.workspace) ?? 'main') === key);
    if (running.length >= maxPerUser) {
      throw new StudioError(
        ErrorCode.Limit,
        `You already have ${running.length} sandboxes running (${running.map((o) => o.workspace).join(', ')}); the limit is ${maxPerUser} running sandboxes per user. Stop one of them (Stop in its workspace) and press Run again.`,
      );
    }
    owners.set(s.workspace, key);
  }

  /** Runs `fn` with the sandbox of `s` counted as starting, so concurrent starts cannot pass the cap together. */
  async function whileStarting<T>(s: WorkspaceSession, scope: TokenScope, fn: () => Promise<T>): Promise<T> {
    admitSandbox(s, scope);
    starting.add(s.workspace);
    try {
      return await fn();
    } finally {
      starting.delete(s.workspace);
    }
  }

  async function stopIdleSandboxes(): Promise<void> {
    const hub = options.hub();
    for (const s of sessions.values()) {
      if (!s.sandboxRunning || s.transactionsInFlight > 0 || (hub?.subscriberCount(s.workspace) ?? 0) > 0) continue;
      if (Date.now() - s.lastActivityMs < idleStopMs) continue;
      await s.stop({ idle: true }).catch((err: unknown) => console.error(`Could not stop the idle sandbox of ${s.workspace}: ${String(err)}`));
    }
  }
  const idleTimer = idleStopMs > 0 ? setInterval(() => void stopIdleSandboxes(), Math.max(250, Math.min(60_000, Math.floor(idleStopMs / 4)))) : undefined;
  idleTimer?.unref();

  const debug = async (workspace: string) => (await session(workspace)).debugger();
  const empty = {} as Record<string, never>;

  const handlers: Handlers = {
    'sample/list': async () => ({ samples: await store.listSamples() }),
    'workspace/list': async () => ({ workspaces: await store.list() }),
    'workspace/create': async ({ name, sample }) => {
      await store.create(name, sample);
      return { workspace: name };
    },
    'workspace/open': async ({ workspace }, ctx) => {
      const s = await session(workspace);
      ctx.subscribe(workspace);
      const opened = { workspace, files: await store.listFiles(workspace), status: s.status, diagnostics: s.diagnostics };
      return options.tokens ? { ...opened, workspaceToken: await options.tokens.workspaceToken(workspace) } : opened;
    },
    'workspace/delete': async ({ workspace }) => {
      const s = sessions.get(workspace);
      if (s) {
        await s.destroy();
        await s.close();
        sessions.delete(workspace);
      } else await sandboxes.destroy(workspace);
      await store.delete(workspace);
      return empty;
    },

    'file/list': async ({ workspace }) => ({ files: await store.listFiles(workspace) }),
    'file/read': async ({ workspace, path }) => store.read(workspace, path),
    'file/write': async ({ workspace, path, content }) => {
      const result = await store.write(workspace, path, content);
      publish(workspace, { method: 'file/changed', params: { workspace, path: result.path, change: 'written', version: result.version } });
      void (await session(workspace)).fileSaved();
      return result;
    },
    'file/create': async ({ workspace, path, kind }) => {
      const result = await store.createEntry(workspace, path, kind);
      publish(workspace, { method: 'file/changed', params: { workspace, path: result.path, change: 'created' } });
      return result;
    },
    'file/rename': async ({ workspace, from, to }) => {
      const result = await store.rename(workspace, from, to);
      publish(workspace, { method: 'file/changed', params: { workspace, path: result.from, to: result.to, change: 'renamed' } });
      return result;
    },
    'file/delete': async ({ workspace, path }) => {
      const result = await store.remove(workspace, path);
      publish(workspace, { method: 'file/changed', params: { workspace, path: result.path, change: 'deleted' } });
      return result;
    },

    run: async ({ workspace, restartOnSave }, ctx) => {
      const s = await session(workspace);
      const outcome = await whileStarting(s, ctx.scope, () => s.run(restartOnSave === undefined ? {} : { restartOnSave }));
      return outcome.metadata ? { ok: outcome.ok, diagnostics: outcome.diagnostics, status: outcome.status, metadata: outcome.metadata } : { ok: outcome.ok, diagnostics: outcome.diagnostics, status: outcome.status };
    },
    'sandbox/status': async ({ workspace }) => (await session(workspace)).status,
    'sandbox/stop': async ({ workspace }) => (await session(workspace)).stop(),
    'sandbox/destroy': async ({ workspace }) => (await session(workspace)).destroy(),
    'chaincode/stop': async ({ workspace }) => (await session(workspace)).stopChaincode(),
    'chaincode/metadata': async ({ workspace }) => {
      const metadata = (await session(workspace)).metadata;
      if (!metadata) throw new StudioError(ErrorCode.ChaincodeNotRunning, 'No contract metadata yet: press Run to start the chaincode.');
      return metadata;
    },
    invoke: async (params, ctx) => {
      const s = await session(params.workspace);
      // An idle-stopped sandbox starts again on this invoke: it counts against the cap like a Run.
      return s.idleStopped ? whileStarting(s, ctx.scope, () => s.invoke(params)) : s.invoke(params);
    },
    'logs/history': async ({ workspace }) => ({ lines: (await session(workspace)).logHistory }),

    setBreakpoints: async ({ workspace, source, breakpoints }) => {
      const s = await session(workspace);
      // Breakpoints set before Run are kept and applied when the debugger attaches.
      if (s.debugSession) return s.debugSession.setBreakpoints(source.path, breakpoints);
      const stored = s.breakpoints.set(source.path, breakpoints);
      return { breakpoints: stored.map((bp) => ({ id: bp.id, verified: false, line: bp.line, message: 'Applied when the chaincode runs' })) };
    },
    setExceptionBreakpoints: async ({ workspace, filters }) => {
      const s = await session(workspace);
      if (s.debugSession) return s.debugSession.setExceptionBreakpoints(filters);
      s.breakpoints.exceptionFilters = filters;
      return empty;
    },
    threads: async ({ workspace }) => (await debug(workspace)).threads(),
    stackTrace: async ({ workspace }) => (await debug(workspace)).stackTrace(),
    scopes: async ({ workspace, frameId }) => (await debug(workspace)).scopes(frameId),
    variables: async ({ workspace, variablesReference }) => (await debug(workspace)).variables(variablesReference),
    continue: async ({ workspace }) => (await debug(workspace)).continue(),
    next: async ({ workspace }) => (await debug(workspace)).next(),
    stepIn: async ({ workspace }) => (await debug(workspace)).stepIn(),
    stepOut: async ({ workspace }) => (await debug(workspace)).stepOut(),
    pause: async ({ workspace }) => (await debug(workspace)).pause(),
    evaluate: async ({ workspace, expression, frameId, context }) => (await debug(workspace)).evaluate(expression, frameId, context),
    disconnect: async ({ workspace }) => (await debug(workspace)).disconnect(),

    'export/package': async (params) => exportsService.fabricPackage(params),
    'export/ccaas': async (params) => exportsService.ccaasBundle(params),
    deploy: async (params, ctx) =>
      deployments.deploy(params, (step, message) => ctx.notify({ method: 'sandbox/progress', params: { workspace: params.workspace, step, message } })),
  };

  return {
    handlers,
    downloads: (id) => exportsService.download(id),
    store,
    sandboxes,
    session,
    async reattach() {
      for (const { workspace, running } of await sandboxes.list()) {
        // A sandbox whose workspace is gone (deleted while the server was down) is cleaned up.
        if (!(await store.exists(workspace))) {
          await sandboxes.destroy(workspace).catch((err: unknown) => console.error(`Could not remove the orphaned sandbox of ${workspace}: ${String(err)}`));
          continue;
        }
        if (!running) continue;
        const s = await session(workspace);
        await s.reattach().catch((err: unknown) => console.error(`Could not reattach to the sandbox of ${workspace}: ${String(err)}`));
      }
    },
    async close() {
      if (idleTimer) clearInterval(idleTimer);
      await Promise.all([...sessions.values()].map((s) => s.close()));
      sessions.clear();
    },
  };
}

