/**
 * The debugger of one workspace's chaincode: the user's breakpoints, which
 * outlive every chaincode process, and the debug session of the current
 * process, if one is attached. Breakpoints set while nothing is attached are
 * kept and applied when the next process starts under the debugger.
 */
import path from 'node:path';
import type { ResultMap, SourceBreakpoint } from '../../protocol/messages.ts';
import { debuggerAttachRetryMs, debuggerAttachTimeoutMs } from '../config.ts';
import { BreakpointStore, type ExceptionFilter } from '../debug/breakpointStore.ts';
import { createDebugSession, type DebugSession } from '../debug/debugSession.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { SandboxHandle } from '../sandbox/sandboxDriver.ts';
import type { SessionReporter } from './sessionReporter.ts';

/** Where the build dir is mounted in the container, and the swapped-in build inside it. */
const containerBuildRoot = '/chaincode/app';

export interface ChaincodeDebuggerOptions {
  readonly workspace: string;
  /** The workspace's sources, where the source maps point. */
  readonly workspaceDir: string;
  readonly reporter: SessionReporter;
}

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
}

export function createChaincodeDebugger(options: ChaincodeDebuggerOptions): ChaincodeDebugger {
  return new Debugger(options);
}

class Debugger implements ChaincodeDebugger {
  readonly breakpoints = new BreakpointStore();
  readonly #options: ChaincodeDebuggerOptions;
  #current: DebugSession | undefined;

  constructor(options: ChaincodeDebuggerOptions) {
    this.#options = options;
  }

  get isPaused(): boolean {
    return this.#current?.isPaused === true;
  }

  session(): DebugSession {
    if (!this.#current) throw new StudioError(ErrorCode.Debugger, 'The debugger is not attached: press Run to start the chaincode under the debugger.');
    return this.#current;
  }

  async attach(handle: SandboxHandle, signal?: AbortSignal): Promise<void> {
    const { reporter, workspace, workspaceDir } = this.#options;
    const inspector = handle.agent.inspector();
    const connect = () =>
      createDebugSession({
        inspectorUrl: inspector.url,
        headers: inspector.headers,
        scriptRoot: containerBuildRoot,
        buildDir: path.join(handle.buildDir, 'app'),
        sourceDir: workspaceDir,
        workspace,
        breakpoints: this.breakpoints,
        emit: (n) => reporter.publish(n.method, n.params),
      });
    const deadline = Date.now() + debuggerAttachTimeoutMs;
    let session: DebugSession;
    for (;;) {
      try {
        session = await connect();
        break;
      } catch (err) {
        if (Date.now() > deadline || signal?.aborted) throw new StudioError(ErrorCode.Debugger, `Could not attach the debugger: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        await new Promise((r) => setTimeout(r, debuggerAttachRetryMs));
      }
    }
    if (signal?.aborted) {
      // The start it was for has failed: a later process may already listen on the same port.
      await session.close().catch(() => undefined);
      throw new StudioError(ErrorCode.Debugger, 'The chaincode start this debugger was for has ended.');
    }
    this.#current = session;
    void session.closed.then(() => {
      if (this.#current === session) {
        this.#current = undefined;
        reporter.setStatus({ debuggerAttached: false });
      }
    });
    await session.start();
    reporter.setStatus({ debuggerAttached: true });
  }

  release(): DebugSession | undefined {
    const session = this.#current;
    this.#current = undefined;
    return session;
  }

  async detach(): Promise<void> {
    const session = this.release();
    if (session) await session.close().catch(() => undefined);
    if (this.#options.reporter.status.debuggerAttached) this.#options.reporter.setStatus({ debuggerAttached: false });
  }

  async setBreakpoints(sourcePath: string, breakpoints: readonly SourceBreakpoint[]): Promise<ResultMap['setBreakpoints']> {
    if (this.#current) return this.#current.setBreakpoints(sourcePath, breakpoints);
    const stored = this.breakpoints.set(sourcePath, breakpoints);
    return { breakpoints: stored.map((bp) => ({ id: bp.id, verified: false, line: bp.line, message: 'Applied when the chaincode runs' })) };
  }

  async setExceptionBreakpoints(filters: readonly ExceptionFilter[]): Promise<ResultMap['setExceptionBreakpoints']> {
    if (this.#current) return this.#current.setExceptionBreakpoints(filters);
    this.breakpoints.exceptionFilters = filters;
    return {};
  }
}
