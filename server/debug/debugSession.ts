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
import type { Notification, NotificationMap, ResultMap, SourceBreakpoint, StackFrame } from '../../protocol/messages.ts';
import {
  debugConsoleMaxChars,
  debugInspectorMaxMessageBytes,
  debugTxIdTimeoutMs,
  inspectorConnectTimeoutMs,
  inspectorRequestTimeoutMs,
} from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { BreakpointBinder } from './breakpoints.ts';
import { BreakpointStore, type ExceptionFilter } from './breakpointStore.ts';
import { connectCdp, tooLargeMessage, type CdpConnection } from './cdpConnection.ts';
import { clipLogOutput, logpointIdOfUrl } from './logpoint.ts';
import { SourceMapRegistry } from './sourceMaps.ts';
import { mapCallFrame, scopeName, type ScriptInfo } from './stackFrames.ts';
import { VariableStore, objectGroup, type ExtraVariable } from './variables.ts';

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
  /** Settles when the session has ended, by close() or because the process went away. */
  readonly closed: Promise<void>;
  /** Enables the debugger, applies breakpoints and exception settings, and lets the process run. */
  start(): Promise<void>;
  setBreakpoints(path: string, breakpoints: readonly SourceBreakpoint[]): Promise<ResultMap['setBreakpoints']>;
  setExceptionBreakpoints(filters: readonly ExceptionFilter[]): Promise<ResultMap['setExceptionBreakpoints']>;
  threads(): ResultMap['threads'];
  stackTrace(): Promise<ResultMap['stackTrace']>;
  scopes(frameId: number): Promise<ResultMap['scopes']>;
  variables(variablesReference: number): Promise<ResultMap['variables']>;
  evaluate(expression: string, frameId?: number, context?: 'watch' | 'repl' | 'hover'): Promise<ResultMap['evaluate']>;
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

type PendingResume = 'step' | 'pause' | undefined;
type StepMethod = 'Debugger.stepOver' | 'Debugger.stepInto' | 'Debugger.stepOut';

/** Where a step started, to carry it through code the user does not step in. */
interface StepOrigin {
  readonly method: StepMethod;
  readonly scriptId: string;
  readonly lineNumber: number;
  readonly depth: number;
  /** Extra steps taken so far on the user's behalf; bounded. */
  autoSteps: number;
}

/** Extra steps one user step may take to get through skipped code before it stops wherever it is. */
const maxAutoSteps = 20;

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
  #stepOrigin: StepOrigin | undefined;

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

  async start(): Promise<void> {
    if (this.#started) throw new StudioError(ErrorCode.Debugger, 'The debug session has already started');
    this.#started = true;
    await this.#cdp.send('Runtime.enable');
    await this.#cdp.send('Debugger.enable', {});
    await this.#cdp.send('Debugger.setBlackboxPatterns', { patterns: blackboxPatterns });
    await this.#binder.activate();
    await this.#applyExceptionFilters();
    await this.#cdp.send('Runtime.runIfWaitingForDebugger');
  }

  async setBreakpoints(path: string, breakpoints: readonly SourceBreakpoint[]): Promise<ResultMap['setBreakpoints']> {
    const stored = this.breakpoints.set(path, breakpoints);
    return { breakpoints: await this.#binder.set(path, stored) };
  }

  async setExceptionBreakpoints(filters: readonly ExceptionFilter[]): Promise<ResultMap['setExceptionBreakpoints']> {
    this.breakpoints.exceptionFilters = filters;
    if (this.#started) await this.#applyExceptionFilters();
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

  async evaluate(expression: string, frameId?: number, context?: 'watch' | 'repl' | 'hover'): Promise<ResultMap['evaluate']> {
    const repl = context === 'repl';
    // Hovering must never change the program; watches and the console may.
    const throwOnSideEffect = context === 'hover';
    let answer: Protocol.Runtime.EvaluateResponse;
    if (this.#pause) {
      const callFrameId = (frameId === undefined ? this.#pause.event.callFrames[0] : this.#frame(frameId))?.callFrameId;
      if (callFrameId === undefined) throw new StudioError(ErrorCode.Debugger, 'There is no stack frame to evaluate in');
      answer = await this.#cdp.send('Debugger.evaluateOnCallFrame', {
        callFrameId,
        expression,
        objectGroup,
        includeCommandLineAPI: repl,
        silent: true,
        generatePreview: true,
        throwOnSideEffect,
      });
    } else {
      if (frameId !== undefined) throw new StudioError(ErrorCode.Debugger, 'The program is running: that stack frame no longer exists');
      answer = await this.#cdp.send('Runtime.evaluate', {
        expression,
        objectGroup,
        includeCommandLineAPI: repl,
        replMode: repl,
        silent: true,
        generatePreview: true,
        throwOnSideEffect,
      });
    }
    if (answer.exceptionDetails) throw new StudioError(ErrorCode.Debugger, exceptionText(answer.exceptionDetails));
    const described = await this.#variables.describe(answer.result);
    return { result: described.value, type: described.type, variablesReference: described.variablesReference };
  }

  async continue(): Promise<ResultMap['continue']> {
    this.#requirePause();
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
    const top = this.#requirePause().event.callFrames[0];
    this.#expecting = 'step';
    this.#stepOrigin = top && {
      method,
      scriptId: top.location.scriptId,
      lineNumber: top.location.lineNumber,
      depth: this.#pause?.event.callFrames.length ?? 0,
      autoSteps: 0,
    };
    await this.#cdp.send(method, {});
    return {};
  }

  /**
   * Node's own scripts ignore Debugger.setBlackboxPatterns, so a step into
   * `Buffer.from(…)` lands in node:internal code. Steps out of such code on
   * the user's behalf, and repeats the user's step if that only brought it
   * back to where it started. Returns true when it took another step.
   */
  #continueStep(event: Protocol.Debugger.PausedEvent): boolean {
    const origin = this.#stepOrigin;
    const top = event.callFrames[0];
    if (!origin || !top || origin.autoSteps >= maxAutoSteps) return false;
    let method: StepMethod | 'Debugger.resume' | undefined;
    if (!this.#isUserFrame(top)) {
      method = event.callFrames.some((frame) => this.#isUserFrame(frame)) ? 'Debugger.stepOut' : 'Debugger.resume';
    } else if (
      origin.autoSteps > 0 &&
      top.location.scriptId === origin.scriptId &&
      top.location.lineNumber === origin.lineNumber &&
      event.callFrames.length === origin.depth
    ) {
      method = origin.method;
    }
    if (method === undefined) return false;
    origin.autoSteps++;
    this.#cdp.send(method, {}).catch(() => undefined);
    return true;
  }

  #isUserFrame(frame: Protocol.Debugger.CallFrame): boolean {
    const url = this.#scripts.get(frame.location.scriptId)?.url ?? frame.url;
    const hostPath = this.#registry.hostPathForUrl(url);
    return hostPath !== undefined && this.#registry.workspacePath(hostPath) !== undefined;
  }

  async #applyExceptionFilters(): Promise<void> {
    const filters = this.breakpoints.exceptionFilters;
    const state = filters.includes('all') ? 'all' : filters.includes('uncaught') ? 'uncaught' : 'none';
    await this.#cdp.send('Debugger.setPauseOnExceptions', { state });
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
    if (this.#expecting === 'step' && hitIds.length === 0 && event.reason !== 'exception' && this.#continueStep(event)) return;
    this.#stepOrigin = undefined;
    const frames = new Map<number, Protocol.Debugger.CallFrame>();
    for (const frame of event.callFrames) frames.set(this.#nextFrameId++, frame);
    const pause: PauseState = { seq: ++this.#pauseSeq, event, frames };
    this.#pause = pause;
    const expecting = this.#expecting;
    this.#expecting = undefined;
    void this.#announceStop(pause, hitIds, expecting);
  }

  async #announceStop(pause: PauseState, hitIds: number[], expecting: PendingResume): Promise<void> {
    const { event } = pause;
    let reason: NotificationMap['stopped']['reason'];
    let description: string | undefined;
    let text: string | undefined;
    if (event.reason === 'exception' || event.reason === 'promiseRejection') {
      reason = 'exception';
      const data = event.data as Protocol.Runtime.RemoteObject | undefined;
      text = data ? (data.description ?? String(data.value)) : undefined;
      description = `Paused on exception${text ? `: ${text.split('\n')[0]}` : ''}`;
    } else if (hitIds.length > 0) {
      reason = 'breakpoint';
    } else if (expecting === 'step') {
      reason = 'step';
    } else if (expecting === 'pause') {
      reason = 'pause';
    } else if (event.reason === 'other') {
      reason = 'breakpoint';
      description = 'Paused on debugger statement';
    } else {
      reason = 'pause';
    }
    const [frames, txId] = await Promise.all([
      this.#mappedFrames(pause).catch(() => [] as StackFrame[]),
      this.#findTxId(pause),
    ]);
    if (this.#pause?.seq !== pause.seq) return;
    const frame = frames[0];
    this.#emit({
      method: 'stopped',
      params: {
        workspace: this.#options.workspace,
        reason,
        threadId,
        ...(description === undefined ? {} : { description }),
        ...(text === undefined ? {} : { text }),
        ...(txId === undefined ? {} : { txId }),
        ...(hitIds.length > 0 ? { hitBreakpointIds: hitIds } : {}),
        ...(frame ? { frame } : {}),
      },
    });
  }

  // Best effort: a transaction function has `ctx` in scope, and so do the
  // fabric-contract-api frames below it; a stop outside any never fails for it.
  // The stub's `txId` is read with getProperties rather than evaluated: every
  // evaluation compiles a script, whose scriptParsed event costs a delayed-ACK
  // round trip (~40 ms) on the inspector socket.
  async #findTxId(pause: PauseState): Promise<string | undefined> {
    const search = async (): Promise<string | undefined> => {
      for (const frame of pause.event.callFrames) {
        const local = frame.scopeChain.find((scope) => scope.type === 'local')?.object.objectId;
        const ctx = local === undefined ? undefined : await this.#ownProperty(local, 'ctx');
        const stub = ctx?.objectId === undefined ? undefined : await this.#ownProperty(ctx.objectId, 'stub');
        if (this.#pause?.seq !== pause.seq) return undefined;
        if (stub?.objectId === undefined) continue;
        const field = await this.#ownProperty(stub.objectId, 'txId');
        if (typeof field?.value === 'string' && field.value !== '') return field.value;
        const answer = await this.#cdp
          .send('Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId, expression: txIdExpression, silent: true, returnByValue: true })
          .catch(() => undefined);
        const value: unknown = answer?.result.value;
        return typeof value === 'string' && value !== '' ? value : undefined;
      }
      return undefined;
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), debugTxIdTimeoutMs);
    });
    try {
      return await Promise.race([search().catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #ownProperty(objectId: string, name: string): Promise<Protocol.Runtime.RemoteObject | undefined> {
    const { result } = await this.#cdp.send('Runtime.getProperties', { objectId, ownProperties: true });
    return result.find((p) => p.name === name)?.value;
  }

  #onResumed(): void {
    if (!this.#pause) return;
    this.#pause = undefined;
    this.#variables.clear();
    this.#emit({ method: 'continued', params: { workspace: this.#options.workspace, threadId, allThreadsContinued: true } });
  }

  #onConsole(event: Protocol.Runtime.ConsoleAPICalledEvent): void {
    const id = logpointIdOfUrl(event.stackTrace?.callFrames[0]?.url);
    if (id === undefined) return;
    const found = this.breakpoints.find(id);
    const first = event.args[0];
    const output = clipLogOutput(typeof first?.value === 'string' ? first.value : (first?.description ?? ''), debugConsoleMaxChars);
    const name = found?.path.split('/').pop() ?? '';
    this.#emit({
      method: 'output',
      params: {
        workspace: this.#options.workspace,
        category: 'console',
        output: `${output}\n`,
        ...(found ? { source: { name, path: found.path }, line: found.breakpoint.line } : {}),
      },
    });
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

const txIdExpression = "typeof ctx.stub.getTxID === 'function' ? ctx.stub.getTxID() : undefined";

function localExtras(frame: Protocol.Debugger.CallFrame): ExtraVariable[] {
  const extras: ExtraVariable[] = [];
  if (frame.returnValue) extras.push({ name: 'Return value', value: frame.returnValue });
  if (frame.this.type !== 'undefined') extras.push({ name: 'this', value: frame.this });
  return extras;
}

function exceptionText(details: Protocol.Runtime.ExceptionDetails): string {
  const description = details.exception?.description ?? details.exception?.value;
  const first = typeof description === 'string' ? description.split('\n')[0] : undefined;
  return first || details.text;
}
