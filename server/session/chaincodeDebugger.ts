/**
 * The debugger of one workspace's chaincode: the user's breakpoints, which
 * outlive every chaincode process, and the debug session of the current
 * process, if one is attached. Breakpoints set while nothing is attached are
 * kept and applied when the next process starts under the debugger.
 *
 * In a network of several orgs each org's peer has its own chaincode process
 * and inspector: the debugger attaches to all of them with the same
 * breakpoints, so a breakpoint hits in whichever process runs the
 * transaction, and the pause names that org's peer. Requests go to the paused
 * process (the first org's when none is).
 *
 * The breakpoints are the server's, not a tab's: kept with the workspace
 * (`.studio/breakpoints.json`), reported to every tab that opens it, and
 * published to all of them when one changes them.
 */
import path from 'node:path';
import type { DebuggerState, ExceptionDetails, ResultMap, SourceBreakpoint, StoppedEventBody } from '../../protocol/messages.ts';
import { chaincodeReadyTimeoutMs, debuggerAttachRetryMs, debuggerAttachStatusEveryMs, debuggerAttachTimeoutMs } from '../config.ts';
import { loadBreakpoints, saveBreakpoints } from '../debug/breakpointFile.ts';
import { BreakpointStore, type ExceptionFilter } from '../debug/breakpointStore.ts';
import { createDebugSession, type DebugNotification, type DebugSession } from '../debug/debugSession.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { SandboxHandle } from '../sandbox/sandboxDriver.ts';
import type { SessionReporter } from './sessionReporter.ts';
import { createDelveSession } from '../debug/delveSession.ts';
import { goBuildModulePath } from '../golang/goBuild.ts';

/** Where the build dir is mounted in the container, and the swapped-in build inside it. */
const containerBuildRoot = '/chaincode/app';

export interface ChaincodeDebuggerOptions {
  readonly workspace: string;
  /** The workspace's sources, where the source maps point. */
  readonly workspaceDir: string;
  readonly reporter: SessionReporter;
  /** How long attaching waits for an inspector (defaults from config.ts; a unit test shortens them). */
  readonly attachWaits?: AttachWaits;
}

export interface AttachWaits {
  /** Retried this long whatever the agent says. */
  readonly usualMs: number;
  /** Then, while the process runs, up to this long, asking the agent this often. */
  readonly longestMs: number;
  readonly statusEveryMs: number;
}

const defaultAttachWaits: AttachWaits = { usualMs: debuggerAttachTimeoutMs, longestMs: chaincodeReadyTimeoutMs, statusEveryMs: debuggerAttachStatusEveryMs };

export interface ChaincodeDebugger {
  readonly breakpoints: BreakpointStore;
  /** True while the attached process is paused (its transaction time does not count then). */
  readonly isPaused: boolean;
  /** The attached debug session, or a clear error. */
  session(): DebugSession;
  /** Attaches to the chaincode process of `handle`, retrying while its inspector opens (until `signal` aborts), and applies the breakpoints. */
  attach(handle: SandboxHandle, signal?: AbortSignal): Promise<void>;
  /**
   * Forgets the attached session without closing it and returns it. Closing it resumes a paused
   * transaction, so the caller closes it only once the process is gone.
   */
  release(): DebugSession | undefined;
  /** Closes the attached session, if any, and reports the debugger detached. */
  detach(): Promise<void>;
  /** Replaces the breakpoints of one source, in the attached process too. */
  setBreakpoints(sourcePath: string, breakpoints: readonly SourceBreakpoint[]): Promise<ResultMap['setBreakpoints']>;
  setExceptionBreakpoints(filters: readonly ExceptionFilter[]): Promise<ResultMap['setExceptionBreakpoints']>;
  /** What a tab opening the workspace shows: breakpoints, exception filters, and the pause, if any. */
  state(): Promise<DebuggerState>;
  /** The exception the attached process threw in transaction `txId` (matching `message` when several), if it saw one. */
  exceptionFor(txId: string | undefined, message: string): ExceptionDetails | undefined;
  /** A file or folder was renamed: its breakpoints move with it. */
  pathMoved(from: string, to: string): Promise<void>;
  /** A file or folder was deleted: its breakpoints go with it. */
  pathDeleted(path: string): Promise<void>;
}

export function createChaincodeDebugger(options: ChaincodeDebuggerOptions): ChaincodeDebugger {
  return new Debugger(options);
}

class Debugger implements ChaincodeDebugger {
  readonly breakpoints = new BreakpointStore();
  readonly #options: ChaincodeDebuggerOptions;
  #current: DebugSession | undefined;
  /** The sessions of the other orgs' processes, and the peer each is labelled with. */
  #others: { session: DebugSession; peer: string }[] = [];
  /** The label of #current's peer, in a network of several orgs. */
  #currentPeer: string | undefined;
  readonly #loaded: Promise<unknown>;
  #saving: Promise<unknown> = Promise.resolve();

  constructor(options: ChaincodeDebuggerOptions) {
    this.#options = options;
    this.#loaded = loadBreakpoints(options.workspaceDir, this.breakpoints).catch((err: unknown) =>
      options.reporter.log('sandbox', `The saved breakpoints could not be read: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  get isPaused(): boolean {
    return this.#current?.isPaused === true || this.#others.some((o) => o.session.isPaused);
  }

  session(): DebugSession {
    if (!this.#current) throw new StudioError(ErrorCode.Debugger, 'The debugger is not attached: press Run to start the chaincode under the debugger.');
    return this.#others.find((o) => o.session.isPaused)?.session ?? this.#current;
  }

  /** The pause to show, naming its org's peer when there are several. */
  #paused(): StoppedEventBody | undefined {
    const other = this.#others.find((o) => o.session.stoppedEvent !== undefined);
    if (other?.session.stoppedEvent) return { ...other.session.stoppedEvent, peer: other.peer };
    const own = this.#current?.stoppedEvent;
    return own && this.#currentPeer !== undefined ? { ...own, peer: this.#currentPeer } : own;
  }

  async attach(handle: SandboxHandle, signal?: AbortSignal): Promise<void> {
    await this.#loaded;
    const { reporter, workspace, workspaceDir } = this.#options;
    await this.#closeOthers();
    const orgs = (await handle.agent.status().catch(() => undefined))?.orgs ?? [];
    const label = (org: { peerHostname: string; mspId: string }) => `${org.peerHostname} (${org.mspId})`;
    // A pause notification names the org's peer when there are several.
    const emitFor = (peer: string | undefined) => (n: DebugNotification) =>
      reporter.publish(n.method, n.method === 'stopped' && peer !== undefined ? { ...n.params, peer } : n.params);
    // A Go build is debugged through Delve's DAP, anything else through the Node inspector; the session looks the same.
    const modulePath = await goBuildModulePath(path.join(handle.buildDir, 'app'));
    const connectTo = (org: string | undefined, peer: string | undefined) => () => {
      const inspector = handle.agent.inspector(org);
      return modulePath !== undefined
        ? createDelveSession({ agentUrl: inspector.url, headers: inspector.headers, modulePath, workspace, breakpoints: this.breakpoints, emit: emitFor(peer) })
        : createDebugSession({
            inspectorUrl: inspector.url,
            headers: inspector.headers,
            scriptRoot: containerBuildRoot,
            buildDir: path.join(handle.buildDir, 'app'),
            sourceDir: workspaceDir,
            workspace,
            breakpoints: this.breakpoints,
            emit: emitFor(peer),
          });
    };
    // Whether that org's chaincode process still runs (an ended one will never open its inspector).
    const processRunning = (org: string | undefined) => async () => {
      const status = await handle.agent.status().catch(() => undefined);
      const chaincode = org === undefined ? status?.chaincode : status?.orgs?.find((o) => o.mspId === org)?.chaincode;
      return chaincode?.phase === 'running';
    };
    const first = orgs[0];
    await this.#attachOne(connectTo(undefined, first && label(first)), processRunning(undefined), signal, (session) => {
      this.#current = session;
      this.#currentPeer = first && label(first);
      void session.closed.then(() => {
        if (this.#current === session) {
          this.#current = undefined;
          reporter.setStatus({ debuggerAttached: false });
        }
      });
    });
    for (const org of orgs.slice(1)) {
      await this.#attachOne(connectTo(org.mspId, label(org)), processRunning(org.mspId), signal, (other) => {
        this.#others.push({ session: other, peer: label(org) });
        void other.closed.then(() => (this.#others = this.#others.filter((o) => o.session !== other)));
      });
    }
    reporter.setStatus({ debuggerAttached: true });
  }

  /**
   * Connects, hands the session to `adopt` and starts it. A session whose connection closes while it
   * starts is made again until the deadline: through a port-forward (Kubernetes) a connection can be
   * accepted and then dropped before the inspector behind it answers.
   */
  async #attachOne(
    connect: () => Promise<DebugSession>,
    processRunning: () => Promise<boolean>,
    signal: AbortSignal | undefined,
    adopt: (session: DebugSession) => void,
  ): Promise<void> {
    const deadline = Date.now() + (this.#options.attachWaits ?? defaultAttachWaits).usualMs;
    for (;;) {
      const session = await this.#connect(connect, signal, processRunning);
      let closed = false;
      void session.closed.then(() => (closed = true));
      adopt(session);
      try {
        await session.start();
        return;
      } catch (err) {
        await Promise.race([session.closed, new Promise((r) => setTimeout(r, debuggerAttachRetryMs))]);
        if (!closed || Date.now() > deadline || signal?.aborted) throw err;
        await session.close().catch(() => undefined);
      }
    }
  }

  /**
   * Connects through `connect`, retrying while the inspector opens, until `signal`. A process opens its
   * inspector within milliseconds, but on a loaded node (a pod's CPU quota shared with the peer) it can
   * take seconds: past the usual wait, retrying goes on while the agent still reports the process running,
   * up to the chaincode's own ready deadline.
   */
  async #connect(connect: () => Promise<DebugSession>, signal: AbortSignal | undefined, processRunning: () => Promise<boolean>): Promise<DebugSession> {
    const waits = this.#options.attachWaits ?? defaultAttachWaits;
    const started = Date.now();
    let session: DebugSession;
    let lastCheck = 0;
    for (;;) {
      try {
        session = await connect();
        break;
      } catch (err) {
        const elapsed = Date.now() - started;
        let giveUp = signal?.aborted === true || elapsed > waits.longestMs;
        if (!giveUp && elapsed > waits.usualMs && Date.now() - lastCheck >= waits.statusEveryMs) {
          lastCheck = Date.now();
          giveUp = !(await processRunning());
        }
        if (giveUp) throw new StudioError(ErrorCode.Debugger, `Could not attach the debugger: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        await new Promise((r) => setTimeout(r, debuggerAttachRetryMs));
      }
    }
    if (signal?.aborted) {
      // The start it was for has failed: a later process may already listen on the same port.
      await session.close().catch(() => undefined);
      throw new StudioError(ErrorCode.Debugger, 'The chaincode start this debugger was for has ended.');
    }
    return session;
  }

  /** The other orgs' sessions; their processes are gone by the time the next attach or detach closes them. */
  async #closeOthers(): Promise<void> {
    const others = this.#others;
    this.#others = [];
    await Promise.all(others.map((o) => o.session.close().catch(() => undefined)));
  }

  release(): DebugSession | undefined {
    const session = this.#current;
    this.#current = undefined;
    this.#currentPeer = undefined;
    return session;
  }

  async detach(): Promise<void> {
    await this.#closeOthers();
    const session = this.release();
    if (session) await session.close().catch(() => undefined);
    if (this.#options.reporter.status.debuggerAttached) this.#options.reporter.setStatus({ debuggerAttached: false });
  }

  async setBreakpoints(sourcePath: string, breakpoints: readonly SourceBreakpoint[]): Promise<ResultMap['setBreakpoints']> {
    await this.#loaded;
    let result: ResultMap['setBreakpoints'];
    if (this.#current) {
      result = await this.#current.setBreakpoints(sourcePath, breakpoints);
      for (const other of this.#others) await other.session.setBreakpoints(sourcePath, breakpoints).catch(() => undefined);
    } else {
      const stored = this.breakpoints.set(sourcePath, breakpoints);
      result = {
        breakpoints: stored.map((bp) => ({ id: bp.id, verified: false, line: bp.line, message: bp.enabled === false ? 'Disabled' : 'Applied when the chaincode runs' })),
      };
    }
    this.#publishSource(sourcePath);
    await this.#save();
    return result;
  }

  async setExceptionBreakpoints(filters: readonly ExceptionFilter[]): Promise<ResultMap['setExceptionBreakpoints']> {
    await this.#loaded;
    if (this.#current) {
      await this.#current.setExceptionBreakpoints(filters);
      for (const other of this.#others) await other.session.setExceptionBreakpoints(filters);
    } else this.breakpoints.exceptionFilters = filters;
    const { reporter, workspace } = this.#options;
    reporter.publish('exceptionBreakpoints/changed', { workspace, filters: [...this.breakpoints.exceptionFilters] });
    await this.#save();
    return {};
  }

  async state(): Promise<DebuggerState> {
    await this.#loaded;
    const paused = this.#paused();
    return {
      attached: this.#current !== undefined,
      ...(paused ? { paused } : {}),
      breakpoints: this.breakpoints.all(),
      exceptionFilters: [...this.breakpoints.exceptionFilters],
    };
  }

  exceptionFor(txId: string | undefined, message: string): ExceptionDetails | undefined {
    return this.#current?.exceptionFor(txId, message) ?? this.#others.map((o) => o.session.exceptionFor(txId, message)).find((e) => e !== undefined);
  }

  async pathMoved(from: string, to: string): Promise<void> {
    await this.#loaded;
    const moved = this.breakpoints.move(from, to);
    await this.#afterPathChange(moved);
  }

  async pathDeleted(root: string): Promise<void> {
    await this.#loaded;
    const dropped = this.breakpoints.drop(root);
    await this.#afterPathChange(dropped);
  }

  async #afterPathChange(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    // The attached process gets the same lists: breakpoints of a gone path are removed, moved ones placed.
    for (const path of new Set(paths)) {
      for (const session of [this.#current, ...this.#others.map((o) => o.session)]) await session?.setBreakpoints(path, this.breakpoints.get(path)).catch(() => undefined);
      this.#publishSource(path);
    }
    await this.#save();
  }

  #publishSource(sourcePath: string): void {
    const { reporter, workspace } = this.#options;
    const breakpoints = this.breakpoints.all().find((s) => s.path === sourcePath)?.breakpoints ?? [];
    reporter.publish('breakpoints/changed', { workspace, source: { path: sourcePath }, breakpoints });
  }

  /** Saves one after another, so the file ends up with the last state. */
  #save(): Promise<void> {
    const { workspaceDir, reporter } = this.#options;
    const next = this.#saving.then(() => saveBreakpoints(workspaceDir, this.breakpoints));
    this.#saving = next.catch(() => undefined);
    return next.catch((err: unknown) => reporter.log('sandbox', `The breakpoints could not be saved: ${err instanceof Error ? err.message : String(err)}`));
  }
}
