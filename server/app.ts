/**
 * The application: the request handlers behind every protocol method, wired
 * to the workspace store, the sandboxes, the Gateway and the debugger.
 */
import type { Notification, NotificationName } from '../protocol/messages.ts';
import { idleSandboxStopMs, maxSandboxesPerUser, maxSandboxesTotal, samplesDir, warmSandboxes } from './config.ts';
import { ErrorCode, StudioError } from './errors.ts';
import { createDeployments } from './deploy/deployService.ts';
import { createExports, type Exports } from './export/exportService.ts';
import { searchWorkspace } from './workspace/searchFiles.ts';
import type { DownloadResolver } from './http/index.ts';
import { scopeKey, type TokenAuthority } from './http/tokenScope.ts';
import type { ClientConnectionFiles } from './http/clientConnectionRoute.ts';
import type { ArchiveImporter } from './http/importUploadRoute.ts';
import type { WorkspaceZipper } from './http/workspaceZipRoute.ts';
import { createSandboxManager, type SandboxManager, type SandboxManagerOptions } from './sandbox/sandboxManager.ts';
import { countStartFailures } from './metrics/countedDriver.ts';
import { countInstalls } from './metrics/countedInstaller.ts';
import { createStudioMetrics, type StudioMetrics } from './metrics/studioMetrics.ts';
import { createDependencyInstaller } from './npm/dependencyInstaller.ts';
import { createDependencyTypesService } from './npm/dependencyTypes.ts';
import { createSessionRegistry } from './session/sessionRegistry.ts';
import { createWarmPool, type WarmPool } from './session/warmPool.ts';
import { WorkspaceSession } from './session/workspaceSession.ts';
import { importArchiveBytes, importWorkspace } from './workspace/importArchive.ts';
import { setChaincodeName, setWorkspaceNetwork, workspaceNetwork, workspaceSettings } from './workspace/workspaceSettings.ts';
import { createWorkspaceStore, type WorkspaceStore } from './workspace/workspaceStore.ts';
import { zipWorkspace } from './workspace/workspaceZip.ts';
import { ledgerBlocks, ledgerKeyHistory, ledgerTransaction, ledgerValue, ledgerWorldState } from './ledger/ledgerRequests.ts';
import { invokeTestSuffix, invokeTestsDir } from '../protocol/invokeTests.ts';
import { formatTestFile } from './testing/testFiles.ts';
import { createTestRuns } from './testing/testRuns.ts';
import type { Handlers, Hub } from './ws/index.ts';

export interface AppOptions {
  dataDir: string;
  /** The engine connection the sandboxes run on. */
  docker: SandboxManagerOptions['docker'];
  /** Set once the HTTP server exists; notifications before that are dropped. */
  hub: () => Hub | undefined;
  /** The name prefix of this server's sandboxes on a shared Docker (tests use their own). */
  instance?: string;
  /** Issues the workspace token that `workspace/open` returns; without it none is returned. */
  tokens?: TokenAuthority;
  /** Overrides config.idleSandboxStopMs (0: never stop idle sandboxes). */
  idleStopMs?: number;
  /** Overrides config.maxSandboxesPerUser. */
  maxSandboxesPerUser?: number;
  /** Overrides config.maxSandboxesTotal. */
  maxSandboxesTotal?: number;
  /** Where the app's metrics go; by default a registry of its own. */
  metrics?: StudioMetrics;
  /** Overrides config.warmSandboxes (spares kept started ahead of demand; 0: no pool). */
  warmSandboxes?: number;
  /** Overrides when the machine counts as too busy to keep spares (warmPool.ts's machineBusy). */
  machineBusy?: () => boolean;
  /** Overrides config.warmPoolCheckIntervalMs. */
  warmPoolCheckIntervalMs?: number;
}

export interface App {
  readonly handlers: Handlers;
  readonly downloads: DownloadResolver;
  /** A workspace's sources as a `.zip`, or undefined when there is no such workspace. */
  readonly workspaceZips: WorkspaceZipper;
  /** A file of a workspace's client connection (identity, connection profile), or undefined when there is no such workspace. */
  readonly clientConnectionFiles: ClientConnectionFiles;
  /** Creates a workspace from an uploaded archive (the HTTP upload route). */
  readonly archiveImports: ArchiveImporter;
  readonly store: WorkspaceStore;
  readonly sandboxes: SandboxManager;
  /** The app's Prometheus metrics (served on their own port by main.ts when STUDIO_METRICS_PORT is set). */
  readonly metrics: StudioMetrics;
  /** The warm pool (empty and idle when warmSandboxes is 0). */
  readonly pool: WarmPool;
  session(workspace: string): Promise<WorkspaceSession>;
  /** Reattaches to sandboxes an earlier server process left running. */
  reattach(): Promise<void>;
  /** Takes over the spares an earlier process left and starts filling the warm pool (after reattach: running workspaces count). */
  startPool(): Promise<void>;
  /** Lets go of every sandbox without stopping it. */
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const store = createWorkspaceStore({ dataDir: options.dataDir, samplesDir });
  const metrics = options.metrics ?? createStudioMetrics();
  const sandboxes = countStartFailures(createSandboxManager({ docker: options.docker, dataDir: options.dataDir, ...(options.instance ? { instance: options.instance } : {}) }), metrics);
  const exportsService: Exports = createExports({ dataDir: options.dataDir, store });
  const deployments = createDeployments({ dataDir: options.dataDir, store, exports: (id) => exportsService.find(id) });

  const dependencies = countInstalls(createDependencyInstaller(), metrics);
  const dependencyTypes = createDependencyTypesService(dependencies);
  const publish = <N extends NotificationName>(workspace: string, n: Notification<N>) => options.hub()?.publish(workspace, n);
  const maxTotal = options.maxSandboxesTotal ?? maxSandboxesTotal;
  // The registry counts the pool's spares and the pool fills into the room the registry leaves.
  const pool = createWarmPool({
    spares: sandboxes.spares,
    exists: (workspace) => sandboxes.exists(workspace),
    size: options.warmSandboxes ?? warmSandboxes,
    maxTotal,
    sandboxesInUse: () => sessions.inUse(),
    runsInProgress: () => sessions.runsInProgress(),
    ...(options.machineBusy ? { busy: options.machineBusy } : {}),
    ...(options.warmPoolCheckIntervalMs === undefined ? {} : { checkIntervalMs: options.warmPoolCheckIntervalMs }),
    onSizeChange: (size) => metrics.pool.setSize(size),
    onNewSandbox: (outcome) => metrics.pool.claimed(outcome),
  });
  const sessions = createSessionRegistry({
    sandboxes,
    workspaceExists: (workspace) => store.exists(workspace),
    createSession: (workspace) =>
      new WorkspaceSession({ workspace, workspaceDir: store.dir(workspace), sandboxes, warmPool: pool, dependencies, metrics, publish: (n) => publish(workspace, n) }),
    subscriberCount: (workspace) => options.hub()?.subscriberCount(workspace) ?? 0,
    maxPerUser: options.maxSandboxesPerUser ?? maxSandboxesPerUser,
    maxTotal,
    idleStopMs: options.idleStopMs ?? idleSandboxStopMs,
    spares: pool,
  });
  const session = (workspace: string) => sessions.session(workspace);
  metrics.observe({
    sandboxPhases: () => sessions.list().map((s) => s.status.phase),
    webSocketConnections: () => options.hub()?.connectionCount ?? 0,
  });

  const testRuns = createTestRuns({ store, sandboxes, dependencies });
  const debug = async (workspace: string) => (await session(workspace)).debugger();
  const empty = {} as Record<string, never>;

  const handlers: Handlers = {
    'sample/list': async () => ({ samples: await store.listSamples() }),
    'workspace/list': async () => ({ workspaces: await store.list() }),
    'workspace/create': async ({ name, sample }) => {
      await store.create(name, sample);
      // Its first Run is near: compile it meanwhile (the Run takes the build over if nothing changed).
      void session(name).then((s) => s.prebuild(), () => undefined);
      return { workspace: name };
    },
    'workspace/import': async (params) => importWorkspace(store, params),
    'workspace/open': async ({ workspace }, ctx) => {
      const s = await session(workspace);
      ctx.subscribe(workspace);
      const opened = { workspace, files: await store.listFiles(workspace), status: s.status, diagnostics: s.diagnostics, debugger: await s.chaincodeDebugger.state() };
      return options.tokens ? { ...opened, workspaceToken: await options.tokens.workspaceToken(workspace) } : opened;
    },
    'workspace/delete': async ({ workspace }) => {
      await sessions.remove(workspace);
      await store.delete(workspace);
      await exportsService.deleteWorkspace(workspace);
      return empty;
    },
    'workspace/settings': async ({ workspace }) => workspaceSettings(store, workspace),
    'workspace/network': async ({ workspace }) => workspaceNetwork(store, workspace),
    'workspace/setNetwork': async ({ workspace, network }) => {
      const result = await setWorkspaceNetwork(store, workspace, network);
      publish(workspace, { method: 'file/changed', params: { workspace, path: result.path, change: 'written', version: result.version } });
      return result;
    },
    'dependencies/types': async ({ workspace }) => {
      if (!(await store.exists(workspace))) throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}": create it first or pick one from the list.`);
      return dependencyTypes.typesOf(store.dir(workspace));
    },
    'workspace/setChaincodeName': async ({ workspace, chaincodeName }) => {
      const result = await setChaincodeName(store, workspace, chaincodeName);
      publish(workspace, { method: 'file/changed', params: { workspace, path: result.path, change: 'written', version: result.version } });
      return result;
    },

    'file/list': async ({ workspace }) => ({ files: await store.listFiles(workspace) }),
    'file/read': async ({ workspace, path }) => store.read(workspace, path),
    'file/search': async ({ workspace, query, caseSensitive }) => searchWorkspace(store, workspace, { query, caseSensitive }),
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
      await (await session(workspace)).chaincodeDebugger.pathMoved(result.from, result.to);
      return result;
    },
    'file/delete': async ({ workspace, path }) => {
      const result = await store.remove(workspace, path);
      publish(workspace, { method: 'file/changed', params: { workspace, path: result.path, change: 'deleted' } });
      await (await session(workspace)).chaincodeDebugger.pathDeleted(result.path);
      return result;
    },

    run: async ({ workspace, restartOnSave }, ctx) => {
      const s = await session(workspace);
      const outcome = await sessions.whileStarting(s, scopeKey(ctx.scope), () => s.run(restartOnSave === undefined ? {} : { restartOnSave }));
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
      return s.idleStopped ? sessions.whileStarting(s, scopeKey(ctx.scope), () => s.invoke(params)) : s.invoke(params);
    },
    'logs/history': async ({ workspace }) => ({ lines: (await session(workspace)).logHistory }),
    'ledger/blocks': async (params) => ledgerBlocks(await session(params.workspace), params),
    'ledger/transaction': async (params) => ledgerTransaction(await session(params.workspace), params),
    'ledger/worldState': async (params) => ledgerWorldState(await session(params.workspace), params),
    'ledger/keyHistory': async (params) => ledgerKeyHistory(await session(params.workspace), params),
    'ledger/value': async (params) => ledgerValue(await session(params.workspace), params),
    'tests/save': async ({ workspace, name, description, invokes }) => {
      const result = await store.write(workspace, `${invokeTestsDir}/${name}${invokeTestSuffix}`, formatTestFile({ ...(description ? { description } : {}), invokes }));
      publish(workspace, { method: 'file/changed', params: { workspace, path: result.path, change: 'written', version: result.version } });
      return result;
    },
    'tests/run': async ({ workspace }, ctx) => testRuns.run(workspace, (step, message) => ctx.notify({ method: 'sandbox/progress', params: { workspace, step, message } })),
    'client/connection': async ({ workspace }) => (await session(workspace)).clientAccess.connection(),

    setBreakpoints: async ({ workspace, source, breakpoints }) => (await session(workspace)).chaincodeDebugger.setBreakpoints(source.path, breakpoints),
    setExceptionBreakpoints: async ({ workspace, filters }) => (await session(workspace)).chaincodeDebugger.setExceptionBreakpoints(filters),
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
      deployments.deploy(params, { scope: ctx.scope, progress: (step, message) => ctx.notify({ method: 'sandbox/progress', params: { workspace: params.workspace, step, message } }) }),
  };

  return {
    handlers,
    downloads: (id) => exportsService.find(id),
    workspaceZips: async (workspace) => ((await store.exists(workspace)) ? zipWorkspace(store, workspace) : undefined),
    clientConnectionFiles: async (workspace, file) => ((await store.exists(workspace)) ? (await session(workspace)).clientAccess.file(file) : undefined),
    archiveImports: (name, kind, bytes) => importArchiveBytes(store, name, kind, bytes),
    store,
    sandboxes,
    metrics,
    pool,
    session,
    reattach: () => sessions.reattach(),
    startPool: () => pool.start(),
    async close() {
      exportsService.close();
      pool.close();
      await sessions.close();
    },
  };
}

