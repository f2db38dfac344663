/**
 * One workspace's sandbox as the IDE drives it: Run, Stop, Destroy and the
 * chaincode's Stop, one at a time, and the status they move through. `run()`
 * is the IDE's Run button: compile, start the sandbox if needed, (re)start the
 * chaincode under the inspector, attach the debugger with the user's
 * breakpoints, and read the contract metadata. The parts it drives live beside
 * it: the sandbox link, the chaincode debugger, the transaction runner.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContractMetadata, Diagnostic, InvokeResult, LogLine, Notification, NotificationName, ParamsOf, SandboxStatus } from '../../protocol/messages.ts';
import { adoptBuild, compileWorkspace } from '../compile/compileWorkspace.ts';
import { reattachMetadataTimeoutMs } from '../config.ts';
import type { BreakpointStore } from '../debug/breakpointStore.ts';
import type { DebugSession } from '../debug/debugSession.ts';
import { timed, type SessionMetrics } from '../metrics/studioMetrics.ts';
import type { DependencyInstaller } from '../npm/dependencyInstaller.ts';
import type { SandboxDriver, SandboxHandle } from '../sandbox/sandboxDriver.ts';
import { createChaincodeDebugger, type ChaincodeDebugger } from './chaincodeDebugger.ts';
import { readChaincodeName } from './chaincodeName.ts';
import type { LedgerIndex } from '../ledger/ledgerIndex.ts';
import type { SandboxGateway } from '../fabric/gateway.ts';
import { startChaincodeUnderDebugger } from './chaincodeStart.ts';
import { createClientAccess, type ClientAccess } from './clientAccess.ts';
import { buildForRun } from './buildForRun.ts';
import { sharedDependencyInstaller } from './dependencyStep.ts';
import { readContractMetadata } from './metadataReader.ts';
import { definitionOptionsOf, ensureNetworkShape, isOneOrgSandbox, networkForRun, networkShapeOf } from './networkStep.ts';
import { createSandboxLink, type SandboxLink } from './sandboxLink.ts';
import { createSaveRestart, type SaveRestart } from './saveRestart.ts';
import { ensureSandboxRunning, takeWarmSandbox } from './sandboxStarter.ts';
import { createSessionReporter, type SessionReporter } from './sessionReporter.ts';
import { createTransactionRunner, type TransactionRunner } from './transactionRunner.ts';
import type { WarmPool } from './warmPool.ts';

export interface WorkspaceSessionOptions {
  workspace: string;
  workspaceDir: string;
  sandboxes: SandboxDriver;
  /** Publishes a notification to every connection that has the workspace open. */
  publish: <N extends NotificationName>(notification: Notification<N>) => void;
  /** Installs the workspace's npm dependencies: the server's one installer (default: one shared by the process). */
  dependencies?: DependencyInstaller;
  /** Overrides config.longTransactionWarnMs (tests shorten it). */
  longTransactionWarnMs?: number;
  /** Times Run and invoke and counts limit hits (the server's metrics). */
  metrics?: SessionMetrics;
  /** The warm pool: the first Run of a new workspace takes a ready spare sandbox from it (see warmPool.ts). */
  warmPool?: Pick<WarmPool, 'claimIfNew'>;
}

export interface RunOutcome {
  ok: boolean;
  diagnostics: Diagnostic[];
  status: SandboxStatus;
  metadata?: ContractMetadata;
  /** Where the time went, in milliseconds (for the benchmark and the log). */
  timings: { dependenciesMs?: number; compileMs: number; sandboxMs?: number; chaincodeReadyMs?: number };
  /** The workspace's npm dependencies, when it has any beyond what the studio brings. */
  dependencies?: { packages: number; fromCache: boolean };
}

export class WorkspaceSession {
  readonly workspace: string;
  readonly #options: WorkspaceSessionOptions;
  readonly #reporter: SessionReporter;
  readonly #link: SandboxLink;
  readonly #debugger: ChaincodeDebugger;
  readonly #transactions: TransactionRunner;
  readonly #clientAccess: ClientAccess;
  readonly #saveRestart: SaveRestart;
  #diagnostics: Diagnostic[] = [];
  #metadata: ContractMetadata | undefined;
  #chaincodeName: string | undefined;
  #runQueue: Promise<unknown> = Promise.resolve();
  #lastActivityMs = Date.now();
  /** Set when the idle stop stopped the sandbox: the next invoke starts it again. */
  #idleStopped = false;
  /** How many times Run (or a save) restarted the chaincode. */
  #chaincodeStarts = 0;
  /** A build made in the background before the first Run (see prebuild()). */
  #prebuild: { readonly dir: string; readonly built: Promise<boolean> } | undefined;

  constructor(options: WorkspaceSessionOptions) {
    this.#options = options;
    this.workspace = options.workspace;
    const { workspace, workspaceDir } = options;
    this.#reporter = createSessionReporter({ workspace, publish: options.publish });
    this.#debugger = createChaincodeDebugger({ workspace, workspaceDir, reporter: this.#reporter });
    const metrics = options.metrics ? { metrics: options.metrics } : {};
    this.#link = createSandboxLink({ reporter: this.#reporter, onChaincodeCrashed: () => void this.#debugger.detach(), ...metrics });
    this.#transactions = createTransactionRunner({
      link: this.#link,
      reporter: this.#reporter,
      debugger: this.#debugger,
      chaincodeName: () => this.#chaincodeName,
      metadata: () => this.#metadata,
      resumeIfIdle: async () => {
        if (this.idleStopped) await this.run();
      },
      onActivity: () => (this.#lastActivityMs = Date.now()),
      chaincodeStarts: () => this.#chaincodeStarts,
      onSettled: () => this.#saveRestart.transactionsSettled(),
      ...(options.longTransactionWarnMs === undefined ? {} : { longTransactionWarnMs: options.longTransactionWarnMs }),
      ...metrics,
    });
    const chaincodeName = async () => this.#chaincodeName ?? readChaincodeName(workspaceDir, workspace);
    this.#clientAccess = createClientAccess({ workspace, link: this.#link, chaincodeName });
    this.#saveRestart = createSaveRestart({
      reporter: this.#reporter,
      restartOnSave: () => this.restartOnSave,
      sandboxAttached: () => this.#link.handle !== undefined,
      transactionsInFlight: () => this.#transactions.inFlight,
      restart: () => this.run(),
    });
  }

  get status(): SandboxStatus { return this.#reporter.status; }
  get diagnostics(): Diagnostic[] { return [...this.#diagnostics]; }
  get logHistory(): LogLine[] { return this.#reporter.logHistory; }
  get metadata(): ContractMetadata | undefined { return this.#metadata; }
  /** The running sandbox's ledger as the ledger view sees it, and the chaincode name last run (its namespace). */
  get ledger(): { index: LedgerIndex; gateway: SandboxGateway; chaincodeName: string | undefined } | undefined {
    const index = this.#link.ledger;
    const gateway = this.#link.gateway;
    return index && gateway ? { index, gateway, chaincodeName: this.#chaincodeName } : undefined;
  }
  get restartOnSave(): boolean { return this.status.restartOnSave === true; }
  /** True while the session is attached to a running sandbox. */
  get sandboxRunning(): boolean { return this.#link.handle !== undefined; }
  /** When Run, Stop, a transaction or a connected client last touched the sandbox (ms since the epoch), for the idle stop. */
  get lastActivityMs(): number { return Math.max(this.#lastActivityMs, this.#clientAccess.lastUseMs); }
  /** True when the idle stop stopped the sandbox (the next invoke starts it again). */
  get idleStopped(): boolean { return this.#idleStopped && !this.#link.handle; }
  /** Transactions waiting for an answer. */
  get transactionsInFlight(): number { return this.#transactions.inFlight; }
  /** The user's breakpoints, kept across chaincode processes. */
  get breakpoints(): BreakpointStore { return this.#debugger.breakpoints; }
  /** "Connect a client": the Gateway endpoint, identity and connection profile for the user's own applications. */
  get clientAccess(): ClientAccess { return this.#clientAccess; }
  /** The chaincode's debugger, attached or not (breakpoints set while detached apply at the next Run). */
  get chaincodeDebugger(): ChaincodeDebugger { return this.#debugger; }
  /** The attached debug session, or a clear error. */
  debugger(): DebugSession {
    return this.#debugger.session();
  }

  /** Finds a sandbox left running by an earlier server process and reattaches to it. */
  async reattach(): Promise<void> {
    const handle = await this.#options.sandboxes.find(this.workspace);
    if (handle) await this.#adopt(handle, true);
  }

  /** Attaches to a running sandbox as it is: status, chaincode, debugger and metadata from its agent. */
  async #adopt(handle: SandboxHandle, withHistory: boolean): Promise<void> {
    const status = await this.#link.attach(handle, withHistory);
    if (status.chaincode.phase === 'running' && status.chaincode.name) {
      this.#chaincodeName = status.chaincode.name;
      // The process runs on; debug it again if it was started with the inspector.
      if (status.chaincode.debug) await this.#debugger.attach(handle).catch((err) => this.#reporter.log('sandbox', `Debugger not re-attached: ${String(err)}`));
      const read = { link: this.#link, chaincodeName: status.chaincode.name, workspaceDir: this.#options.workspaceDir, timeoutMs: reattachMetadataTimeoutMs };
      this.#metadata = await readContractMetadata(read).catch(() => undefined);
    }
  }

  /**
   * Compiles a new workspace in the background, so that its first Run finds it built: Run takes the
   * build over if the workspace has not changed since (compileWorkspace's adoptBuild), else compiles
   * as usual. The build goes to a folder of its own, since which sandbox (and so which build folder)
   * the workspace gets is decided by the Run.
   */
  prebuild(): void {
    if (this.#prebuild || this.#link.handle) return;
    const dir = path.join(os.tmpdir(), `ccs-prebuild-${randomBytes(6).toString('hex')}`);
    const built = compileWorkspace(this.#options.workspaceDir, path.join(dir, 'app'), { reuseUnchanged: true }).then(
      (build) => build.ok,
      () => false,
    );
    this.#prebuild = { dir, built };
  }

  /** Puts the background build in the sandbox's build folder if it is still the workspace's, and forgets it. */
  async #adoptPrebuild(): Promise<void> {
    const prebuild = this.#prebuild;
    if (!prebuild) return;
    this.#prebuild = undefined;
    try {
      const outDir = path.join(this.#options.sandboxes.buildDir(this.workspace), 'app');
      if (await prebuild.built) await adoptBuild(this.#options.workspaceDir, path.join(prebuild.dir, 'app'), outDir);
    } catch {
      // Run compiles as it would have without it.
    } finally {
      await fs.rm(prebuild.dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Serialises run/stop/destroy so two clicks never interleave. */
  #queue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#runQueue.then(fn, fn);
    this.#runQueue = next.catch(() => undefined);
    return next;
  }

  run(options: { restartOnSave?: boolean } = {}): Promise<RunOutcome> {
    this.#lastActivityMs = Date.now();
    this.#idleStopped = false;
    if (options.restartOnSave !== undefined) this.#reporter.setStatus({ restartOnSave: options.restartOnSave });
    const run = this.#queue(() => this.#run());
    const metrics = this.#options.metrics;
    return metrics ? timed(run, metrics.runFinished, (outcome) => (outcome.ok ? 'ok' : 'compile_failed')) : run;
  }

  async #run(): Promise<RunOutcome> {
    const workspace = this.workspace;
    const reporter = this.#reporter;
    const { workspaceDir, sandboxes } = this.#options;
    const installer = this.#options.dependencies ?? sharedDependencyInstaller();
    // Bad network settings are refused before any sandbox or Fabric call.
    const network = await networkForRun(workspaceDir);
    const definition = definitionOptionsOf(network);
    const shape = networkShapeOf(network.settings);
    // A spare is the one-org sandbox: a network of several orgs is built in the workspace's own.
    if (!this.#link.handle && this.#options.warmPool && isOneOrgSandbox(shape)) await takeWarmSandbox({ workspace, workspaceDir, pool: this.#options.warmPool, link: this.#link, reporter, definition });
    await this.#adoptPrebuild();
    const build = await buildForRun({ workspace, workspaceDir, buildDir: sandboxes.buildDir(workspace), installer, reporter });
    this.#diagnostics = build.diagnostics;
    const timings: RunOutcome['timings'] = { ...build.timings };
    const dependencies = build.dependencies ? { dependencies: build.dependencies } : {};
    if (!build.ok) return { ok: false, diagnostics: build.diagnostics, status: this.status, timings, ...dependencies };

    const sandboxStarted = performance.now();
    const handle = await ensureSandboxRunning({ workspace, sandboxes, link: this.#link, reporter });
    await ensureNetworkShape({ handle, link: this.#link, reporter, shape });
    timings.sandboxMs = Math.round(performance.now() - sandboxStarted);
    const chaincodeName = await readChaincodeName(workspaceDir, workspace);
    this.#chaincodeName = chaincodeName;
    this.#metadata = undefined;
    this.#chaincodeStarts += 1;
    if (this.status.restartPending) reporter.setStatus({ restartPending: false });
    const started = await startChaincodeUnderDebugger({ workspace, workspaceDir, handle, chaincodeName, definition, link: this.#link, debugger: this.#debugger, reporter });
    timings.chaincodeReadyMs = started.readyMs;
    this.#metadata = started.metadata;
    if (build.runtimeWarning !== undefined) reporter.setStatus({ message: build.runtimeWarning });
    return { ok: true, diagnostics: build.diagnostics, status: this.status, metadata: started.metadata, timings, ...dependencies };
  }

  /** Called after a file is saved: restarts the chaincode when the user asked for that (see saveRestart.ts). */
  fileSaved(): Promise<void> {
    return this.#saveRestart.fileSaved();
  }

  invoke(params: ParamsOf<'invoke'>): Promise<InvokeResult> {
    return this.#transactions.invoke(params);
  }

  stopChaincode(): Promise<SandboxStatus> {
    return this.#queue(async () => {
      // Kill first: detaching the debugger first would resume a paused transaction and let it commit.
      if (this.#link.handle) await this.#link.handle.agent.stopChaincode();
      await this.#debugger.detach();
      this.#reporter.setStatus({ chaincode: 'stopped', message: 'Chaincode stopped' });
      return this.status;
    });
  }

  /** Stops the sandbox, keeping the ledger. `idle`: stopped for idleness, so the next invoke resumes it. */
  stop(options: { idle?: boolean } = {}): Promise<SandboxStatus> {
    return this.#queue(async () => {
      this.#lastActivityMs = Date.now();
      this.#reporter.setStatus({ phase: 'stopping', message: 'Stopping the sandbox' });
      await this.#letGoWhile(() => this.#options.sandboxes.stop(this.workspace));
      this.#idleStopped = options.idle === true;
      const message = options.idle ? 'Sandbox stopped after being idle; the ledger is kept. Run or a transaction starts it again.' : 'Sandbox stopped; the ledger is kept';
      if (options.idle) this.#reporter.log('sandbox', message);
      this.#reporter.setStatus({ phase: 'stopped', chaincode: 'stopped', message });
      return this.status;
    });
  }

  destroy(): Promise<SandboxStatus> {
    return this.#queue(async () => {
      await this.#letGoWhile(() => this.#options.sandboxes.destroy(this.workspace));
      this.#chaincodeName = undefined;
      this.#metadata = undefined;
      this.#reporter.setStatus({ phase: 'absent', chaincode: 'stopped', packageId: undefined, message: 'Sandbox removed' });
      return this.status;
    });
  }

  /**
   * Lets go of the sandbox (so its end is not reported as lost contact) and runs the driver
   * action that stops or removes it. If that fails (the engine is down), the sandbox may well run
   * on: take it back when its agent still answers, so the status and transactions tell the truth.
   */
  async #letGoWhile(action: () => Promise<void>): Promise<void> {
    const handle = this.#link.handle;
    await this.#debugger.detach();
    this.#link.detach();
    try {
      await action();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const adopted = handle !== undefined && (await this.#adopt(handle, false).then(() => true, () => (this.#link.detach(), false)));
      this.#reporter.setStatus(adopted ? { message } : { phase: 'error', chaincode: 'stopped', debuggerAttached: false, message });
      throw err;
    }
  }

  /** Lets go of the sandbox without stopping it (server shutdown): a new server reattaches. */
  async close(): Promise<void> {
    const prebuild = this.#prebuild;
    this.#prebuild = undefined;
    if (prebuild) await prebuild.built.finally(() => fs.rm(prebuild.dir, { recursive: true, force: true }).catch(() => undefined));
    this.#link.close();
    await this.#debugger.detach();
    await this.#clientAccess.close();
  }

  /** Memory of this sandbox, for the benchmark and status. */
  memoryBytes(): Promise<number | undefined> {
    return this.#options.sandboxes.memoryBytes(this.workspace);
  }
}
