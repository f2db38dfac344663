/**
 * A debug session on one chaincode process, over its V8 inspector, with the
 * requests and events of the Debug Adapter Protocol.
 *
 * The process runs with --inspect-brk: `start()` places the breakpoints,
 * then lets it run, and silently resumes the pause --inspect-brk makes on the
 * first line (the user did not ask for it). When the process ends, the
 * session ends with it; its owner creates a new one for the next process and
 * hands it the same {@link BreakpointStore}.
 */
import type { Protocol } from 'devtools-protocol';
import type { ExceptionDetails, Notification, ResultMap, SourceBreakpoint, StackFrame, StoppedEventBody } from '../../protocol/messages.ts';
import { debugConsoleMaxChars, debugExceptionMaxFrames, debugInspectorMaxMessageBytes, inspectorConnectTimeoutMs, inspectorRequestTimeoutMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { BreakpointBinder } from './breakpoints.ts';
import { BreakpointStore, type ExceptionFilter } from './breakpointStore.ts';
import { connectCdp, tooLargeMessage, type CdpConnection } from './cdpConnection.ts';
import { evaluateExpression, type EvaluateContext } from './evaluate.ts';
import { ExceptionLog, exceptionMessage, pauseOnExceptionsState, wantsException } from './exceptionLog.ts';
import { logpointOutput } from './logpoint.ts';
import { SourceMapRegistry } from './sourceMaps.ts';
import { localExtras, mapCallFrame, scopeName, type ScriptInfo } from './stackFrames.ts';
import { StepCarrier, type StepMethod } from './stepCarrier.ts';
import { stopReason, type PendingResume } from './stopReason.ts';
import { findTxId } from './txIdLookup.ts';
import { VariableStore } from './variables.ts';

export { BreakpointStore, type ExceptionFilter } from './breakpointStore.ts';

/** The debugger events a session emits. */
export type DebugNotificationName = 'stopped' | 'continued' | 'output' | 'breakpoint';
export type DebugNotification = { [N in DebugNotificationName]: Notification<N> }[DebugNotificationName];

export interface DebugSessionOptions {
  /** The inspector's WebSocket URL (`ws://…/<uuid>`), possibly through a proxy. */
  readonly inspectorUrl: string;
  /** Extra HTTP headers for the WebSocket handshake, e.g. `Authorization` for the proxy. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Path prefix of the compiled code inside the debuggee, e.g. `/chaincode`. */
  readonly scriptRoot: string;
  /** Host directory mirroring `scriptRoot`: compiled `.js` with `.js.map` beside each. */
  readonly buildDir: string;
  /** Host directory of the original sources, when the maps point outside `buildDir`. */
  readonly sourceDir?: string;
  /** The workspace id, carried by every notification. */
  readonly workspace: string;
  /** The user's breakpoints; pass the same store to the session of the next process. */
  readonly breakpoints?: BreakpointStore;
  /** Receives the session's DAP events. Must not throw. */
  readonly emit: (notification: DebugNotification) => void;
}

/** One debug session; method names and results follow DAP (protocol/messages.ts ResultMap). */
export interface DebugSession {
  readonly breakpoints: BreakpointStore;
  readonly isPaused: boolean;
  /** The `stopped` event of the current pause, once announced; undefined while running. */
  readonly stoppedEvent: StoppedEventBody | undefined;
  /** Settles when the session has ended, by close() or because the process went away. */
  readonly closed: Promise<void>;
  /** Enables the debugger, applies breakpoints and exception settings, and lets the process run. */
  start(): Promise<void>;
  setBreakpoints(path: string, breakpoints: readonly SourceBreakpoint[]): Promise<ResultMap['setBreakpoints']>;
  setExceptionBreakpoints(filters: readonly ExceptionFilter[]): Promise<ResultMap['setExceptionBreakpoints']>;
  /** The exception user code threw in transaction `txId` (the last with `message`, else the last), if one was seen. */
  exceptionFor(txId: string | undefined, message: string): ExceptionDetails | undefined;
  threads(): ResultMap['threads'];
  stackTrace(): Promise<ResultMap['stackTrace']>;
  scopes(frameId: number): Promise<ResultMap['scopes']>;
  variables(variablesReference: number): Promise<ResultMap['variables']>;
  evaluate(expression: string, frameId?: number, context?: EvaluateContext): Promise<ResultMap['evaluate']>;
  continue(): Promise<ResultMap['continue']>;
  next(): Promise<ResultMap['next']>;
  stepIn(): Promise<ResultMap['stepIn']>;
  stepOut(): Promise<ResultMap['stepOut']>;
  pause(): Promise<ResultMap['pause']>;
  /** Detaches; the process keeps running without breakpoints. */
  disconnect(): Promise<ResultMap['disconnect']>;
  close(): Promise<void>;
}

/** The one thread DAP sees: the chaincode's JavaScript thread. */
export const threadId = 1;

/** Connects to the inspector; call `start()` once the breakpoints the user already has are in the store. */
export async function createDebugSession(options: DebugSessionOptions): Promise<DebugSession> {
  const cdp = await connectCdp({
    url: options.inspectorUrl,
    ...(options.headers ? { headers: options.headers } : {}),
    connectTimeoutMs: inspectorConnectTimeoutMs,
    requestTimeoutMs: inspectorRequestTimeoutMs,
    maxMessageBytes: debugInspectorMaxMessageBytes,
    goneMessage: 'The chaincode process ended',
  });
  return new InspectorDebugSession(cdp, options);
}

const blackboxPatterns = ['/node_modules/', '^node:'];

interface PauseState {
  readonly seq: number;
  readonly event: Protocol.Debugger.PausedEvent;
  /** DAP frame id → V8 call frame. */
  readonly frames: Map<number, Protocol.Debugger.CallFrame>;
  mapped?: Promise<StackFrame[]>;
}

class InspectorDebugSession implements DebugSession {
  readonly breakpoints: BreakpointStore;
  readonly closed: Promise<void>;
  #cdp: CdpConnection;
  #options: DebugSessionOptions;
  #registry: SourceMapRegistry;
  #binder: BreakpointBinder;
  #variables: VariableStore;
  #scripts = new Map<string, ScriptInfo>();
  #started = false;
  #entryPauseSkipped = false;
  #pause: PauseState | undefined;
  #pauseSeq = 0;
  #nextFrameId = 1;
  #expecting: PendingResume;
  #steps: StepCarrier;
  #stopped: StoppedEventBody | undefined;
  #exceptions = new ExceptionLog();
  /** What V8 was last told to pause on: 'all' while running, to see every exception user code throws. */
  #pauseOnExceptions: 'none' | 'uncaught' | 'all' | undefined;

  constructor(cdp: CdpConnection, options: DebugSessionOptions) {
    this.#cdp = cdp;
    this.#options = options;
    this.breakpoints = options.breakpoints ?? new BreakpointStore();
    this.#registry = new SourceMapRegistry({
      scriptRoot: options.scriptRoot,
      buildDir: options.buildDir,
      ...(options.sourceDir === undefined ? {} : { sourceDir: options.sourceDir }),
    });
    this.#variables = new VariableStore(cdp);
    this.#steps = new StepCarrier(cdp, (frame) => this.#isUserFrame(frame));
    this.#binder = new BreakpointBinder(cdp, this.#registry, this.breakpoints, (path, breakpoint) =>
      this.#emit({ method: 'breakpoint', params: { workspace: options.workspace, reason: 'changed', breakpoint: { ...breakpoint, path } } }),
    );
    cdp.on('Debugger.scriptParsed', (event) => {
      this.#scripts.set(event.scriptId, { url: event.url, ...(event.sourceMapURL ? { sourceMapUrl: event.sourceMapURL } : {}) });
    });
    cdp.on('Debugger.paused', (event) => this.#onPaused(event));
    cdp.on('Debugger.resumed', () => this.#onResumed());
    cdp.on('Runtime.consoleAPICalled', (event) => this.#onConsole(event));
    this.closed = cdp.closed.then((reason) => {
      if (reason === 'too-large') {
        const output = `${tooLargeMessage(debugInspectorMaxMessageBytes)}\n`;
        this.#emit({ method: 'output', params: { workspace: options.workspace, category: 'stderr', output } });
      }
      if (this.#pause) this.#onResumed();
    });
  }

  get isPaused(): boolean {
    return this.#pause !== undefined;
  }

  get stoppedEvent(): StoppedEventBody | undefined {
    return this.#stopped;
  }

  exceptionFor(txId: string | undefined, message: string): ExceptionDetails | undefined {
    return this.#exceptions.find(txId, message);
  }

  async start(): Promise<void> {
    if (this.#started) throw new StudioError(ErrorCode.Debugger, 'The debug session has already started');
    this.#started = true;
    await this.#cdp.send('Runtime.enable');
    await this.#cdp.send('Debugger.enable', {});
    await this.#cdp.send('Debugger.setBlackboxPatterns', { patterns: blackboxPatterns });
    await this.#binder.activate();
    await this.#setPauseOnExceptions('all');
    await this.#cdp.send('Runtime.runIfWaitingForDebugger');
  }

  async setBreakpoints(path: string, breakpoints: readonly SourceBreakpoint[]): Promise<ResultMap['setBreakpoints']> {
    const stored = this.breakpoints.set(path, breakpoints);
    return { breakpoints: await this.#binder.set(path, stored) };
  }

  async setExceptionBreakpoints(filters: readonly ExceptionFilter[]): Promise<ResultMap['setExceptionBreakpoints']> {
    // While running, V8 pauses on every exception and the session lets go of those the filters do not want.
    this.breakpoints.exceptionFilters = filters;
    return {};
  }

  threads(): ResultMap['threads'] {
    return { threads: [{ id: threadId, name: 'chaincode' }] };
  }

  async stackTrace(): Promise<ResultMap['stackTrace']> {
    const stackFrames = await this.#mappedFrames(this.#requirePause());
    return { stackFrames, totalFrames: stackFrames.length };
  }

  async scopes(frameId: number): Promise<ResultMap['scopes']> {
    const frame = this.#frame(frameId);
    const scopes = frame.scopeChain.flatMap((scope) => {
      const objectId = scope.object.objectId;
      if (objectId === undefined) return [];
      const extras = scope.type === 'local' ? localExtras(frame) : [];
      return [{ name: scopeName(scope), variablesReference: this.#variables.scopeReference(objectId, extras), expensive: scope.type === 'global' }];
    });
    return { scopes };
  }

  async variables(variablesReference: number): Promise<ResultMap['variables']> {
    return { variables: await this.#variables.variables(variablesReference) };
  }

  async evaluate(expression: string, frameId?: number, context?: EvaluateContext): Promise<ResultMap['evaluate']> {
    let callFrameId: string | undefined;
    if (this.#pause) {
      callFrameId = (frameId === undefined ? this.#pause.event.callFrames[0] : this.#frame(frameId))?.callFrameId;
      if (callFrameId === undefined) throw new StudioError(ErrorCode.Debugger, 'There is no stack frame to evaluate in');
    } else if (frameId !== undefined) {
      throw new StudioError(ErrorCode.Debugger, 'The program is running: that stack frame no longer exists');
    }
    return evaluateExpression(this.#cdp, this.#variables, expression, callFrameId, context);
  }

  async continue(): Promise<ResultMap['continue']> {
    this.#requirePause();
    await this.#setPauseOnExceptions('all');
    await this.#cdp.send('Debugger.resume', {});
    return { allThreadsContinued: true };
  }

  next(): Promise<ResultMap['next']> {
    return this.#step('Debugger.stepOver');
  }

  stepIn(): Promise<ResultMap['stepIn']> {
    return this.#step('Debugger.stepInto');
  }

  stepOut(): Promise<ResultMap['stepOut']> {
    return this.#step('Debugger.stepOut');
  }

  async pause(): Promise<ResultMap['pause']> {
    if (this.#pause) return {};
    this.#expecting = 'pause';
    await this.#cdp.send('Debugger.pause');
    return {};
  }

  async disconnect(): Promise<ResultMap['disconnect']> {
    await this.close();
    return {};
  }

  async close(): Promise<void> {
    // Closing the inspector session makes V8 drop our breakpoints and resume the process.
    await this.#cdp.close();
    await this.closed;
  }

  async #step(method: StepMethod): Promise<Record<string, never>> {
    const { callFrames } = this.#requirePause().event;
    // A step must not stop on exceptions the user did not ask for: V8 pauses only on those for its duration.
    await this.#setPauseOnExceptions(pauseOnExceptionsState(this.breakpoints.exceptionFilters));
    this.#expecting = 'step';
    await this.#steps.step(method, callFrames);
    return {};
  }

  #isUserFrame(frame: Protocol.Debugger.CallFrame): boolean {
    const url = this.#scripts.get(frame.location.scriptId)?.url ?? frame.url;
    const hostPath = this.#registry.hostPathForUrl(url);
    return hostPath !== undefined && this.#registry.workspacePath(hostPath) !== undefined;
  }

  async #setPauseOnExceptions(state: 'none' | 'uncaught' | 'all'): Promise<void> {
    if (this.#pauseOnExceptions === state) return;
    await this.#cdp.send('Debugger.setPauseOnExceptions', { state });
    this.#pauseOnExceptions = state;
  }

  /**
   * An exception the user's filters do not stop on: if user code threw it, note its stack (mapped
   * to the user's sources) and transaction, so a failed transaction can show where it came from;
   * then let the program go on.
   */
  async #noteException(event: Protocol.Debugger.PausedEvent): Promise<void> {
    const top = event.callFrames[0];
    if (top && this.#isUserFrame(top)) {
      const frames = event.callFrames.slice(0, debugExceptionMaxFrames);
      const [stackFrames, txId] = await Promise.all([
        Promise.all(frames.map((frame, i) => mapCallFrame(i, frame, this.#scripts.get(frame.location.scriptId), this.#registry))).catch(() => []),
        findTxId(this.#cdp, event.callFrames, () => true),
      ]);
      const { message, typeName } = exceptionMessage(event.data as Protocol.Runtime.RemoteObject | undefined);
      this.#exceptions.add({ txId, message, ...(typeName === undefined ? {} : { typeName }), stackFrames });
    }
    await this.#cdp.send('Debugger.resume', {}).catch(() => undefined);
  }

  #onPaused(event: Protocol.Debugger.PausedEvent): void {
    const hitIds = this.#binder.idsOf(event.hitBreakpoints ?? []);
    // Node reports this reason, which is outside the protocol's enum.
    const entryPause = (event.reason as string) === 'Break on start';
    if (!this.#entryPauseSkipped && entryPause && hitIds.length === 0) {
      this.#entryPauseSkipped = true;
      this.#cdp.send('Debugger.resume', {}).catch(() => undefined);
      return;
    }
    const exception = event.reason === 'exception' || event.reason === 'promiseRejection';
    if (exception && hitIds.length === 0 && !wantsException(this.breakpoints.exceptionFilters, event)) {
      void this.#noteException(event);
      return;
    }
    if (this.#expecting === 'step' && hitIds.length === 0 && !exception && this.#steps.carryOn(event)) return;
    this.#steps.finish();
    const frames = new Map<number, Protocol.Debugger.CallFrame>();
    for (const frame of event.callFrames) frames.set(this.#nextFrameId++, frame);
    const pause: PauseState = { seq: ++this.#pauseSeq, event, frames };
    this.#pause = pause;
    const expecting = this.#expecting;
    this.#expecting = undefined;
    void this.#announceStop(pause, hitIds, expecting);
  }

  async #announceStop(pause: PauseState, hitIds: number[], expecting: PendingResume): Promise<void> {
    const { reason, description, text } = stopReason(pause.event, hitIds, expecting);
    const [frames, txId] = await Promise.all([
      this.#mappedFrames(pause).catch(() => [] as StackFrame[]),
      findTxId(this.#cdp, pause.event.callFrames, () => this.#pause?.seq === pause.seq),
    ]);
    if (this.#pause?.seq !== pause.seq) return;
    const frame = frames[0];
    const params: StoppedEventBody = {
      workspace: this.#options.workspace,
      reason,
      threadId,
      ...(description === undefined ? {} : { description }),
      ...(text === undefined ? {} : { text }),
      ...(txId === undefined ? {} : { txId }),
      ...(hitIds.length > 0 ? { hitBreakpointIds: hitIds } : {}),
      ...(frame ? { frame } : {}),
    };
    this.#stopped = params;
    this.#emit({ method: 'stopped', params });
  }

  #onResumed(): void {
    if (!this.#pause) return;
    this.#pause = undefined;
    this.#stopped = undefined;
    this.#variables.clear();
    this.#emit({ method: 'continued', params: { workspace: this.#options.workspace, threadId, allThreadsContinued: true } });
  }

  #onConsole(event: Protocol.Runtime.ConsoleAPICalledEvent): void {
    const params = logpointOutput(event, this.breakpoints, this.#options.workspace, debugConsoleMaxChars);
    if (params) this.#emit({ method: 'output', params });
  }

  #mappedFrames(pause: PauseState): Promise<StackFrame[]> {
    pause.mapped ??= Promise.all(
      [...pause.frames].map(([id, frame]) => mapCallFrame(id, frame, this.#scripts.get(frame.location.scriptId), this.#registry)),
    );
    return pause.mapped;
  }

  #requirePause(): PauseState {
    if (!this.#pause) throw new StudioError(ErrorCode.Debugger, 'The chaincode is not paused');
    return this.#pause;
  }

  #frame(frameId: number): Protocol.Debugger.CallFrame {
    const frame = this.#requirePause().frames.get(frameId);
    if (!frame) throw new StudioError(ErrorCode.Debugger, 'That stack frame no longer exists: the program has moved on');
    return frame;
  }

  #emit(notification: DebugNotification): void {
    try {
      this.#options.emit(notification);
    } catch {
      // An owner's failing listener must not break the session.
    }
  }
}
