/**
 * Everything the server knows about one workspace's sandbox while it runs:
 * its status, its log history, the Gateway connection, the chaincode process
 * and its debugger. `run()` is the IDE's Run button: compile, start the
 * sandbox if needed, (re)start the chaincode under the inspector, attach the
 * debugger with the user's breakpoints, and read the contract metadata.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type {
  ContractMetadata,
  Diagnostic,
  InvokeResult,
  LogLine,
  LogSource,
  Notification,
  NotificationName,
  ParamsOf,
  SandboxStatus,
} from '../../protocol/messages.ts';
import { compileWorkspace } from '../compile/compileWorkspace.ts';
import { chaincodeReadyTimeoutMs, channelName, logHistoryLines, longTransactionWarnMs, peerPort, sandboxNanoCpus } from '../config.ts';
import { createDebugSession, BreakpointStore, type DebugSession } from '../debug/debugSession.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { parseContractMetadata } from '../fabric/contractMetadata.ts';
import { connectGateway, type SandboxGateway } from '../fabric/gateway.ts';
import { nameParametersFromSource } from '../fabric/parameterNames.ts';
import type { AgentEvent, AgentStatus } from '../sandbox/agentClient.ts';
import type { SandboxHandle, SandboxManager } from '../sandbox/sandboxManager.ts';

/** Where the build dir is mounted in the container, and the swapped-in build inside it. */
const containerBuildRoot = '/chaincode/app';

export interface WorkspaceSessionOptions {
  workspace: string;
  workspaceDir: string;
  sandboxes: SandboxManager;
  /** Publishes a notification to every connection that has the workspace open. */
  publish: <N extends NotificationName>(notification: Notification<N>) => void;
  /** Overrides config.longTransactionWarnMs (tests shorten it). */
  longTransactionWarnMs?: number;
}

/** How the CPU limit reads in messages, e.g. "CPU quota 1 core". */
const cpuQuotaText = `CPU quota ${sandboxNanoCpus / 1e9} core${sandboxNanoCpus === 1e9 ? '' : 's'}`;

export interface RunOutcome {
  ok: boolean;
  diagnostics: Diagnostic[];
  status: SandboxStatus;
  metadata?: ContractMetadata;
  /** Where the time went, in milliseconds (for the benchmark and the log). */
  timings: { compileMs: number; sandboxMs?: number; chaincodeReadyMs?: number };
}

/** The chaincode name a workspace defines: from its package.json, made safe for Fabric. */
export function chaincodeNameOf(packageName: unknown, workspace: string): string {
  const base = typeof packageName === 'string' ? packageName.replace(/^@[^/]+\//, '') : workspace;
  const cleaned = base.toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 50);
  return cleaned || 'chaincode';
}

export class WorkspaceSession {
  readonly workspace: string;
  readonly breakpoints = new BreakpointStore();
  readonly #options: WorkspaceSessionOptions;
  #status: SandboxStatus;
  #logs: LogLine[] = [];
  #diagnostics: Diagnostic[] = [];
  #handle: SandboxHandle | undefined;
  #events: { close(): void } | undefined;
  #gateway: SandboxGateway | undefined;
  #debug: DebugSession | undefined;
  #metadata: ContractMetadata | undefined;
  #chaincodeName: string | undefined;
  #runQueue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #lastActivityMs = Date.now();
  #inFlight = 0;
  /** Set when the idle stop stopped the sandbox: the next invoke starts it again. */
  #idleStopped = false;
  /** A peer or orderer restart is under way (reported in the status message). */
  #restarting = false;

  constructor(options: WorkspaceSessionOptions) {
    this.#options = options;
    this.workspace = options.workspace;
    this.#status = { workspace: options.workspace, phase: 'absent', chaincode: 'stopped', channel: channelName };
  }

  get status(): SandboxStatus {
    return { ...this.#status };
  }
  get diagnostics(): Diagnostic[] {
    return [...this.#diagnostics];
  }
  get logHistory(): LogLine[] {
    return [...this.#logs];
  }
  get metadata(): ContractMetadata | undefined {
    return this.#metadata;
  }
  get restartOnSave(): boolean {
    return this.#status.restartOnSave === true;
  }
  /** True while the session is attached to a running sandbox. */
  get sandboxRunning(): boolean {
    return this.#handle !== undefined;
  }
  /** When Run, Stop or a transaction last touched the sandbox (ms since the epoch), for the idle stop. */
  get lastActivityMs(): number {
    return this.#lastActivityMs;
  }
  /** True when the idle stop stopped the sandbox (the next invoke starts it again). */
  get idleStopped(): boolean {
    return this.#idleStopped && !this.#handle;
  }
  /** Transactions waiting for an answer. */
  get transactionsInFlight(): number {
    return this.#inFlight;
  }

  #publish<N extends NotificationName>(method: N, params: Notification<N>['params']): void {
    this.#options.publish({ method, params } as Notification<N>);
  }

  #setStatus(patch: Partial<SandboxStatus>): void {
    this.#status = { ...this.#status, ...patch };
    this.#publish('sandbox/status', this.status);
  }

  #log(source: LogSource, text: string, time = new Date().toISOString()): void {
    this.#addLines([{ source, time, text }]);
  }

  #addLines(lines: LogLine[]): void {
    this.#logs.push(...lines);
    if (this.#logs.length > logHistoryLines) this.#logs.splice(0, this.#logs.length - logHistoryLines);
    this.#publish('log', { workspace: this.workspace, lines });
  }

  /** Finds a sandbox left running by an earlier server process and reattaches to it. */
  async reattach(): Promise<void> {
    const handle = await this.#options.sandboxes.find(this.workspace);
    if (!handle) return;
    await this.#adopt(handle, true);
  }

  /** Attaches to a running sandbox as it is: status, chaincode, debugger and metadata from its agent. */
  async #adopt(handle: SandboxHandle, withHistory: boolean): Promise<void> {
    await this.#attach(handle, withHistory);
    const status = await handle.agent.status();
    this.#applyAgentStatus(status);
    if (status.chaincode.phase === 'running' && status.chaincode.name) {
      this.#chaincodeName = status.chaincode.name;
      // The process runs on; debug it again if it was started with the inspector.
      if (status.chaincode.debug) await this.#attachDebugger().catch((err) => this.#log('sandbox', `Debugger not re-attached: ${String(err)}`));
      this.#metadata = await this.#readMetadata(status.chaincode.name, 3000).catch(() => undefined);
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
    if (options.restartOnSave !== undefined) this.#setStatus({ restartOnSave: options.restartOnSave });
    return this.#queue(() => this.#run());
  }

  async #run(): Promise<RunOutcome> {
    const { sandboxes, workspaceDir } = this.#options;
    const phaseBefore = this.#status.chaincode;
    this.#setStatus({ chaincode: 'compiling', message: 'Compiling' });
    const outDir = path.join(sandboxes.buildDir(this.workspace), 'app');
    const build = await compileWorkspace(workspaceDir, outDir);
    const timings: RunOutcome['timings'] = { compileMs: Math.round(build.durationMs) };
    this.#diagnostics = build.diagnostics;
    this.#publish('diagnostics', { workspace: this.workspace, diagnostics: build.diagnostics });
    if (!build.ok) {
      const errors = build.diagnostics.filter((d) => d.severity === 'error');
      const first = errors[0];
      const where = first ? `${first.file}:${first.line}:${first.column} ${first.message}` : 'see Problems';
      this.#log('sandbox', `Compile failed with ${errors.length} error(s): ${where}`);
      // The old build goes on as it was (unless its status changed meanwhile, e.g. it crashed).
      const chaincode = this.#status.chaincode === 'compiling' ? phaseBefore : this.#status.chaincode;
      this.#setStatus({ chaincode, message: `Compile failed: ${errors.length} error(s)` });
      return { ok: false, diagnostics: build.diagnostics, status: this.status, timings };
    }
    this.#log('sandbox', `Compiled ${build.language} in ${Math.round(build.durationMs)} ms`);

    const sandboxStarted = performance.now();
    const handle = await this.#ensureSandbox();
    timings.sandboxMs = Math.round(performance.now() - sandboxStarted);
    const name = chaincodeNameOf(await this.#packageName(), this.workspace);
    this.#chaincodeName = name;

    // The old debugger goes only after the agent has killed the old process:
    // detaching first would resume a paused transaction and let it commit.
    const previousDebugger = this.#debug;
    this.#debug = undefined;
    this.#metadata = undefined;
    this.#setStatus({ chaincode: 'starting', chaincodeName: name, message: `Starting chaincode ${name}` });
    try {
      const chaincodeStarted = performance.now();
      await handle.agent.startChaincode(name, { debug: true });
      await previousDebugger?.close().catch(() => undefined);
      await this.#attachDebugger();
      const metadata = await this.#readMetadata(name, chaincodeReadyTimeoutMs);
      timings.chaincodeReadyMs = Math.round(performance.now() - chaincodeStarted);
      this.#log('sandbox', `Chaincode ${name} answered ${timings.chaincodeReadyMs} ms after its start`);
      this.#metadata = metadata;
      this.#publish('chaincode/metadata', { workspace: this.workspace, metadata });
      this.#setStatus({ chaincode: 'running', message: `Chaincode ${name} is running` });
      return { ok: true, diagnostics: build.diagnostics, status: this.status, metadata, timings };
    } catch (err) {
      const agent = await handle.agent.status().catch(() => undefined);
      this.#setStatus({ chaincode: agent?.chaincode.phase === 'running' ? 'running' : 'crashed', message: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  async #packageName(): Promise<unknown> {
    try {
      return (JSON.parse(await fs.readFile(path.join(this.#options.workspaceDir, 'package.json'), 'utf8')) as { name?: unknown }).name;
    } catch {
      return undefined;
    }
  }

  async #ensureSandbox(): Promise<SandboxHandle> {
    if (this.#handle) {
      const alive = await this.#handle.agent.status().catch(() => undefined);
      if (alive?.phase === 'ready') return this.#handle;
      this.#detach();
    }
    this.#setStatus({ phase: 'creating', message: 'Starting the sandbox' });
    try {
      const handle = await this.#options.sandboxes.start(this.workspace, (step, message) => {
        if (step === 'image' || step === 'fabric' || step === 'rootfs' || step === 'runtime' || step === 'overlay' || step === 'import') {
          if (this.#status.phase !== 'building-image') this.#setStatus({ phase: 'building-image' });
        } else if (this.#status.phase !== 'starting' && step === 'network') this.#setStatus({ phase: 'starting' });
        this.#publish('sandbox/progress', { workspace: this.workspace, step, message });
      });
      await this.#attach(handle, false);
      const status = await handle.agent.status();
      this.#applyAgentStatus(status);
      return handle;
    } catch (err) {
      // No sandbox, so no chaincode: not "compiling" forever.
      this.#setStatus({ phase: 'error', chaincode: 'stopped', message: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  async #attach(handle: SandboxHandle, withHistory: boolean): Promise<void> {
    this.#detach();
    this.#handle = handle;
    const identity = await handle.agent.identity();
    this.#gateway = connectGateway({ peerEndpoint: `${handle.host}:${peerPort}`, channel: channelName, identity });
    this.#followEvents(handle, withHistory);
  }

  #followEvents(handle: SandboxHandle, withHistory: boolean): void {
    let batch: LogLine[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (batch.length > 0) this.#addLines(batch);
      batch = [];
    };
    const onEvent = (event: AgentEvent) => {
      if (event.type === 'log') {
        // Batch log lines: one notification per 50 ms instead of one per line.
        batch.push({ source: event.source, time: event.time, text: stripAnsi(event.text) });
        timer ??= setTimeout(flush, 50);
      } else if (event.type === 'status') this.#applyAgentStatus(event.status);
    };
    const onEnd = (err?: Error) => {
      flush();
      if (this.#closed || this.#handle !== handle) return;
      // The agent went away: the container stopped or crashed.
      this.#log('sandbox', `Lost contact with the sandbox${err ? `: ${err.message}` : ''}. Press Run to start it again.`);
      this.#detach();
      this.#setStatus({ phase: 'stopped', chaincode: 'stopped', debuggerAttached: false, message: 'The sandbox stopped' });
    };
    this.#events = handle.agent.events(onEvent, onEnd, { history: withHistory });
  }

  #applyAgentStatus(status: AgentStatus): void {
    // The agent restarts a peer or orderer that dies; until it is back, transactions fail: say so.
    const down = status.phase === 'ready' ? [status.peer.running ? '' : 'peer', status.orderer.running ? '' : 'orderer'].filter(Boolean) : [];
    const phase = down.length > 0 ? 'starting' : status.phase === 'ready' ? 'ready' : status.phase === 'error' ? 'error' : 'starting';
    const cc = status.chaincode.phase;
    const chaincode = cc === 'running' ? (this.#status.chaincode === 'starting' ? 'starting' : 'running') : cc === 'crashed' ? 'crashed' : this.#status.chaincode === 'compiling' ? 'compiling' : 'stopped';
    const patch: Partial<SandboxStatus> = { phase, chaincode, fabricVersion: status.fabricVersion ?? undefined, channel: status.channel };
    if (status.chaincode.packageId) patch.packageId = status.chaincode.packageId;
    if (cc === 'crashed' && this.#status.chaincode !== 'crashed') {
      const reason = status.chaincode.reason;
      patch.message = reason ? `The chaincode process ${reason}. Press Run to start it again.` : 'The chaincode process stopped; see the log. Fix the code and press Run.';
      void this.#detachDebugger();
    }
    if (phase === 'error') patch.message = status.message;
    const crashed = cc === 'crashed' && status.chaincode.reason ? ` The chaincode process ${status.chaincode.reason}: press Run to start it again.` : '';
    if (down.length > 0) {
      const restarts = status.peer.restarts + status.orderer.restarts;
      patch.message = `The ${down.join(' and ')} stopped and is being restarted by the sandbox (restart ${restarts}); transactions fail until it is back.${crashed}`;
      this.#restarting = true;
    } else if (this.#restarting && phase === 'ready') {
      this.#restarting = false;
      patch.message = `The peer and the orderer are running again.${crashed}`;
    }
    this.#setStatus(patch);
  }

  async #attachDebugger(): Promise<void> {
    const handle = this.#handle;
    if (!handle) return;
    const inspector = handle.agent.inspector();
    const buildRoot = path.join(this.#options.sandboxes.buildDir(this.workspace), 'app');
    const connect = () => createDebugSession({
      inspectorUrl: inspector.url,
      headers: inspector.headers,
      scriptRoot: containerBuildRoot,
      buildDir: buildRoot,
      sourceDir: this.#options.workspaceDir,
      workspace: this.workspace,
      breakpoints: this.breakpoints,
      emit: (n) => this.#options.publish(n),
    });
    // The process opens its inspector a few milliseconds after it starts.
    const deadline = Date.now() + 5000;
    let session: DebugSession;
    for (;;) {
      try {
        session = await connect();
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new StudioError(ErrorCode.Debugger, `Could not attach the debugger: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        await new Promise((r) => setTimeout(r, 30));
      }
    }
    this.#debug = session;
    void session.closed.then(() => {
      if (this.#debug === session) {
        this.#debug = undefined;
        this.#setStatus({ debuggerAttached: false });
      }
    });
    await session.start();
    this.#setStatus({ debuggerAttached: true });
  }

  async #detachDebugger(): Promise<void> {
    const session = this.#debug;
    this.#debug = undefined;
    if (session) await session.close().catch(() => undefined);
    if (this.#status.debuggerAttached) this.#setStatus({ debuggerAttached: false });
  }

  async #readMetadata(name: string, timeoutMs: number): Promise<ContractMetadata> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      const gateway = this.#gateway;
      if (!gateway) throw new StudioError(ErrorCode.SandboxNotReady, 'The sandbox is not connected.');
      try {
        const metadata = parseContractMetadata(await gateway.metadata(name, { timeoutMs: 2000 }));
        return await nameParametersFromSource(metadata, this.#options.workspaceDir);
      } catch (err) {
        lastError = err;
        // Until the process has registered with the peer, the peer answers "not registered".
        if (err instanceof StudioError && err.code === ErrorCode.Chaincode) throw err;
      }
      const agent = await this.#handle?.agent.status().catch(() => undefined);
      if (agent && agent.chaincode.phase !== 'running') {
        throw new StudioError(ErrorCode.ChaincodeNotRunning, 'The chaincode process exited while starting; its log says why.', { cause: lastError });
      }
      if (Date.now() > deadline) {
        throw new StudioError(ErrorCode.Timeout, `The chaincode did not answer within ${timeoutMs / 1000} s: ${lastError instanceof Error ? lastError.message : String(lastError)}`, { cause: lastError });
      }
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  /** Called after a file is saved: restarts the chaincode when the user asked for that. */
  async fileSaved(): Promise<void> {
    if (!this.restartOnSave || !this.#handle) return;
    await this.run().catch((err: unknown) => this.#log('sandbox', `Restart on save failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  async invoke(params: ParamsOf<'invoke'>): Promise<InvokeResult> {
    this.#lastActivityMs = Date.now();
    // Stopped for idleness, not by the user: resume on demand, the ledger is still there.
    if (this.#idleStopped && !this.#handle) await this.run();
    const gateway = this.#gateway;
    const name = this.#chaincodeName;
    if (!gateway || !name || this.#status.phase !== 'ready') {
      throw new StudioError(ErrorCode.SandboxNotReady, 'The sandbox is not running. Press Run first.');
    }
    if (this.#status.chaincode !== 'running') {
      throw new StudioError(ErrorCode.ChaincodeNotRunning, `The chaincode is ${this.#status.chaincode}. Press Run to start it.`);
    }
    const request = { chaincodeName: name, contract: params.contract, fn: params.fn, args: params.args, ...(params.transient ? { transient: params.transient } : {}) };
    const unwatch = this.#watchLongTransaction(params.fn);
    this.#inFlight += 1;
    try {
      return await (params.mode === 'submit' ? gateway.submit(request) : gateway.evaluate(request));
    } finally {
      unwatch();
      this.#inFlight -= 1;
      this.#lastActivityMs = Date.now();
    }
  }

  /**
   * Fabric cannot interrupt a transaction (its execute timeout is long on purpose, for debugging),
   * so a loop that never ends would just hang. Time spent paused in the debugger does not count.
   */
  #watchLongTransaction(fn: string): () => void {
    const limitMs = this.#options.longTransactionWarnMs ?? longTransactionWarnMs;
    const tickMs = Math.min(1000, limitMs);
    let runningMs = 0;
    let warned = false;
    const timer = setInterval(() => {
      if (this.#debug?.isPaused) return;
      runningMs += tickMs;
      if (warned || runningMs < limitMs) return;
      warned = true;
      const text = `${fn} is still running after ${Math.round(runningMs / 1000)} s: possible infinite loop; the chaincode is limited to 1 CPU (${cpuQuotaText}); press Run to restart it (the transaction then fails and nothing is committed).`;
      this.#log('sandbox', text);
      this.#setStatus({ message: text });
    }, tickMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The running debug session, or a clear error. */
  debugger(): DebugSession {
    if (!this.#debug) throw new StudioError(ErrorCode.Debugger, 'The debugger is not attached: press Run to start the chaincode under the debugger.');
    return this.#debug;
  }

  get debugSession(): DebugSession | undefined {
    return this.#debug;
  }

  stopChaincode(): Promise<SandboxStatus> {
    return this.#queue(async () => {
      // Kill first: detaching the debugger first would resume a paused transaction and let it commit.
      if (this.#handle) await this.#handle.agent.stopChaincode();
      await this.#detachDebugger();
      this.#setStatus({ chaincode: 'stopped', message: 'Chaincode stopped' });
      return this.status;
    });
  }

  /** Stops the container, keeping the ledger. `idle`: stopped for idleness, so the next invoke resumes it. */
  stop(options: { idle?: boolean } = {}): Promise<SandboxStatus> {
    return this.#queue(async () => {
      this.#lastActivityMs = Date.now();
      this.#setStatus({ phase: 'stopping', message: 'Stopping the sandbox' });
      await this.#letGoWhile(() => this.#options.sandboxes.stop(this.workspace));
      this.#idleStopped = options.idle === true;
      const message = options.idle ? 'Sandbox stopped after being idle; the ledger is kept. Run or a transaction starts it again.' : 'Sandbox stopped; the ledger is kept';
      if (options.idle) this.#log('sandbox', message);
      this.#setStatus({ phase: 'stopped', chaincode: 'stopped', message });
      return this.status;
    });
  }

  destroy(): Promise<SandboxStatus> {
    return this.#queue(async () => {
      await this.#letGoWhile(() => this.#options.sandboxes.destroy(this.workspace));
      this.#chaincodeName = undefined;
      this.#metadata = undefined;
      this.#setStatus({ phase: 'absent', chaincode: 'stopped', packageId: undefined, message: 'Sandbox removed' });
      return this.status;
    });
  }

  /**
   * Lets go of the sandbox (so its end is not reported as lost contact) and runs the Docker
   * action that stops or removes it. If that fails (Docker down), the sandbox may well run on:
   * take it back when its agent still answers, so the status and transactions tell the truth.
   */
  async #letGoWhile(action: () => Promise<void>): Promise<void> {
    const handle = this.#handle;
    await this.#detachDebugger();
    this.#detach();
    try {
      await action();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const adopted =
        handle !== undefined &&
        (await this.#adopt(handle, false).then(
          () => true,
          () => {
            this.#detach();
            return false;
          },
        ));
      this.#setStatus(adopted ? { message } : { phase: 'error', chaincode: 'stopped', debuggerAttached: false, message });
      throw err;
    }
  }

  #detach(): void {
    this.#events?.close();
    this.#events = undefined;
    this.#gateway?.close();
    this.#gateway = undefined;
    this.#handle = undefined;
  }

  /** Lets go of the sandbox without stopping it (server shutdown): a new server reattaches. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#detachDebugger();
    this.#detach();
  }

  /** Memory of this sandbox's container, for the benchmark and status. */
  memoryBytes(): Promise<number | undefined> {
    return this.#options.sandboxes.memoryBytes(this.workspace);
  }
}

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;
function stripAnsi(text: string): string {
  return text.replace(ansi, '');
}
