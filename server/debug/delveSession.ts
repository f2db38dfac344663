/**
 * A debug session on Go chaincode: Delve's own Debug Adapter Protocol
 * (through the agent's `/dap` pipe) behind the same `DebugSession` interface
 * as the Node inspector's, so sessions and the browser do not care which
 * language runs. What this adds to Delve: workspace paths (the binary is
 * built with `-trimpath`, so its files read `<module path>/<file>`), the
 * store's breakpoint ids, one thread for the IDE (the stopped goroutine), and
 * every reply checked for shape before use.
 */
import { z } from 'zod';
import type { ExceptionDetails, ResultMap, SourceBreakpoint, StackFrame, StoppedEventBody } from '../../protocol/messages.ts';
import { debugInspectorMaxMessageBytes, inspectorConnectTimeoutMs, inspectorRequestTimeoutMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { BreakpointStore, type ExceptionFilter } from './breakpointStore.ts';
import { connectDap, type DapConnection, type DapEvent } from './dapConnection.ts';
import { threadId, type DebugNotification, type DebugSession } from './debugSession.ts';
import type { EvaluateContext } from './evaluate.ts';
import { findGoTxId } from './goTxId.ts';

export interface DelveSessionOptions {
  /** The agent's inspector URL and headers: the `/dap` upgrade is beside it. */
  readonly agentUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The module path the binary's source paths start with. */
  readonly modulePath: string;
  readonly workspace: string;
  readonly breakpoints?: BreakpointStore;
  readonly emit: (notification: DebugNotification) => void;
}

const DapBreakpoints = z.object({ breakpoints: z.array(z.object({ id: z.number().optional(), verified: z.boolean(), line: z.number().optional(), message: z.string().optional() })) });
const DapStoppedEvent = z.object({ reason: z.string(), threadId: z.number().optional(), description: z.string().optional(), text: z.string().optional(), hitBreakpointIds: z.array(z.number()).optional() });
const DapStackTrace = z.object({
  stackFrames: z.array(z.object({ id: z.number(), name: z.string(), line: z.number(), column: z.number(), source: z.object({ name: z.string().optional(), path: z.string().optional() }).optional(), presentationHint: z.string().optional() })),
  totalFrames: z.number().optional(),
});
const DapScopes = z.object({ scopes: z.array(z.object({ name: z.string(), variablesReference: z.number(), expensive: z.boolean().optional() })) });
const DapVariables = z.object({ variables: z.array(z.object({ name: z.string(), value: z.string(), type: z.string().optional(), variablesReference: z.number() })) });
const DapEvaluate = z.object({ result: z.string(), type: z.string().optional(), variablesReference: z.number() });
const DapOutput = z.object({ category: z.string().optional(), output: z.string() });

/** Frames shown to the user: at most this many per stop. */
const maxFrames = 50;

/** Connects to Delve; call `start()` once the store holds the user's breakpoints. */
export async function createDelveSession(options: DelveSessionOptions): Promise<DebugSession> {
  const dap = await connectDap({
    agentUrl: options.agentUrl,
    headers: options.headers,
    connectTimeoutMs: inspectorConnectTimeoutMs,
    requestTimeoutMs: inspectorRequestTimeoutMs,
    maxMessageBytes: debugInspectorMaxMessageBytes,
  });
  return new DelveDebugSession(dap, options);
}

class DelveDebugSession implements DebugSession {
  readonly breakpoints: BreakpointStore;
  readonly closed: Promise<void>;
  #dap: DapConnection;
  #options: DelveSessionOptions;
  /** The goroutine that stopped, which steps and continues name. */
  #goroutine: number | undefined;
  #stopped: StoppedEventBody | undefined;
  /** Delve's breakpoint id → the store's. */
  #ids = new Map<number, number>();
  /** The transaction of the last goroutine that stopped (a goroutine runs one; Go never reuses its id), so a step needs no second lookup. */
  #txOf: { goroutine: number; txId: string | undefined } | undefined;
  #initialized: Promise<void>;

  constructor(dap: DapConnection, options: DelveSessionOptions) {
    this.#dap = dap;
    this.#options = options;
    this.breakpoints = options.breakpoints ?? new BreakpointStore();
    this.closed = dap.closed;
    this.#initialized = new Promise((resolve) => dap.onEvent((e) => e.event === 'initialized' && resolve()));
    dap.onEvent((event) => this.#onEvent(event));
  }

  get isPaused(): boolean {
    return this.#goroutine !== undefined;
  }

  get stoppedEvent(): StoppedEventBody | undefined {
    return this.#stopped;
  }

  exceptionFor(): ExceptionDetails | undefined {
    // Go has no thrown exceptions: a transaction's error is a returned value, its message all there is.
    return undefined;
  }

  async start(): Promise<void> {
    await this.#dap.request('initialize', { clientID: 'chaincode-studio', adapterID: 'go', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsVariableType: true });
    await this.#dap.request('attach', { request: 'attach', mode: 'remote', stopOnEntry: false });
    await Promise.race([this.#initialized, new Promise((resolve) => setTimeout(resolve, inspectorRequestTimeoutMs))]);
    for (const source of this.breakpoints.all()) await this.#place(source.path, this.breakpoints.get(source.path));
    await this.#dap.request('configurationDone');
  }

  async setBreakpoints(path: string, breakpoints: readonly SourceBreakpoint[]): Promise<ResultMap['setBreakpoints']> {
    return this.#place(path, this.breakpoints.set(path, breakpoints));
  }

  async setExceptionBreakpoints(filters: readonly ExceptionFilter[]): Promise<ResultMap['setExceptionBreakpoints']> {
    // Delve always stops on a panic nothing recovers and on a fatal runtime error; it has no other filters.
    this.breakpoints.exceptionFilters = filters;
    return {};
  }

  threads(): ResultMap['threads'] {
    return { threads: [{ id: threadId, name: this.#goroutine === undefined ? 'chaincode' : `goroutine ${this.#goroutine}` }] };
  }

  async stackTrace(): Promise<ResultMap['stackTrace']> {
    const goroutine = this.#requirePause();
    const trace = DapStackTrace.parse(await this.#dap.request('stackTrace', { threadId: goroutine, startFrame: 0, levels: maxFrames }));
    const stackFrames = trace.stackFrames.map((frame) => this.#frame(frame));
    return { stackFrames, totalFrames: trace.totalFrames ?? stackFrames.length };
  }

  async scopes(frameId: number): Promise<ResultMap['scopes']> {
    this.#requirePause();
    const { scopes } = DapScopes.parse(await this.#dap.request('scopes', { frameId }));
    return { scopes: scopes.map((s) => ({ name: s.name, variablesReference: s.variablesReference, expensive: s.expensive ?? false })) };
  }

  async variables(variablesReference: number): Promise<ResultMap['variables']> {
    this.#requirePause();
    const { variables } = DapVariables.parse(await this.#dap.request('variables', { variablesReference }));
    return { variables: variables.map((v) => ({ name: v.name, value: v.value, variablesReference: v.variablesReference, ...(v.type === undefined ? {} : { type: v.type }) })) };
  }

  async evaluate(expression: string, frameId?: number, context?: EvaluateContext): Promise<ResultMap['evaluate']> {
    this.#requirePause();
    const result = DapEvaluate.parse(await this.#dap.request('evaluate', { expression, ...(frameId === undefined ? {} : { frameId }), context: context ?? 'repl' }));
    return { result: result.result, variablesReference: result.variablesReference, ...(result.type === undefined ? {} : { type: result.type }) };
  }

  async continue(): Promise<ResultMap['continue']> {
    const goroutine = this.#requirePause();
    this.#resumed();
    await this.#dap.request('continue', { threadId: goroutine });
    return { allThreadsContinued: true };
  }

  next(): Promise<ResultMap['next']> {
    return this.#step('next');
  }

  stepIn(): Promise<ResultMap['stepIn']> {
    return this.#step('stepIn');
  }

  stepOut(): Promise<ResultMap['stepOut']> {
    return this.#step('stepOut');
  }

  async pause(): Promise<ResultMap['pause']> {
    if (this.isPaused) return {};
    await this.#dap.request('pause', { threadId: 1 });
    return {};
  }

  async disconnect(): Promise<ResultMap['disconnect']> {
    // The chaincode goes on running without breakpoints (Delve keeps serving other clients).
    for (const path of this.breakpoints.paths()) await this.#dap.request('setBreakpoints', { source: { path: this.#serverPath(path) }, breakpoints: [] }).catch(() => undefined);
    if (this.isPaused) await this.continue().catch(() => undefined);
    await this.#dap.request('disconnect', { terminateDebuggee: false }).catch(() => undefined);
    this.#dap.close();
    return {};
  }

  async close(): Promise<void> {
    this.#dap.close();
    await this.closed;
  }

  async #step(command: 'next' | 'stepIn' | 'stepOut'): Promise<Record<string, never>> {
    const goroutine = this.#requirePause();
    this.#resumed();
    await this.#dap.request(command, { threadId: goroutine, granularity: 'line' });
    return {};
  }

  async #place(path: string, stored: ReturnType<BreakpointStore['get']>): Promise<ResultMap['setBreakpoints']> {
    const enabled = stored.filter((bp) => bp.enabled !== false);
    const body = DapBreakpoints.parse(
      await this.#dap.request('setBreakpoints', {
        source: { path: this.#serverPath(path) },
        breakpoints: enabled.map((bp) => ({ line: bp.line, ...(bp.condition ? { condition: bp.condition } : {}), ...(bp.logMessage ? { logMessage: bp.logMessage } : {}) })),
      }),
    );
    const placed = new Map(enabled.map((bp, i) => [bp.id, body.breakpoints[i]]));
    for (const [ours, theirs] of placed) if (theirs?.id !== undefined) this.#ids.set(theirs.id, ours);
    return {
      breakpoints: stored.map((bp) => {
        if (bp.enabled === false) return { id: bp.id, verified: false, line: bp.line, message: 'Disabled' };
        const theirs = placed.get(bp.id);
        return { id: bp.id, verified: theirs?.verified ?? false, line: theirs?.line ?? bp.line, ...(theirs?.message ? { message: theirs.message } : {}) };
      }),
    };
  }

  #onEvent(event: DapEvent): void {
    const { workspace } = this.#options;
    if (event.event === 'stopped') {
      const parsed = DapStoppedEvent.safeParse(event.body);
      if (parsed.success) void this.#announceStop(parsed.data);
    } else if (event.event === 'continued') {
      if (this.isPaused) this.#resumed();
    } else if (event.event === 'output') {
      const output = DapOutput.safeParse(event.body);
      // A logpoint's message arrives as console output; Delve's own notices as well.
      if (output.success) this.#emit({ method: 'output', params: { workspace, category: output.data.category === 'stderr' ? 'stderr' : output.data.category === 'stdout' ? 'stdout' : 'console', output: output.data.output } });
    } else if (event.event === 'terminated' || event.event === 'exited') {
      this.#dap.close();
    }
  }

  async #announceStop(stop: z.infer<typeof DapStoppedEvent>): Promise<void> {
    const goroutine = stop.threadId ?? 1;
    this.#goroutine = goroutine;
    const reason = stopReason(stop.reason);
    const hitBreakpointIds = (stop.hitBreakpointIds ?? []).map((id) => this.#ids.get(id)).filter((id): id is number => id !== undefined);
    let frame: StackFrame | undefined;
    const known = this.#txOf?.goroutine === goroutine ? this.#txOf : undefined;
    let txId = known?.txId;
    try {
      // The whole stack when it is needed: a panic stops inside the runtime (the editor shows the user's frame nearest the top), and the transaction's id is at the bottom.
      const levels = reason === 'exception' || !known ? maxFrames : 1;
      const raw = DapStackTrace.parse(await this.#dap.request('stackTrace', { threadId: goroutine, startFrame: 0, levels })).stackFrames;
      const frames = raw.map((f) => this.#frame(f));
      frame = reason === 'exception' ? (frames.find((f) => f.source?.path !== undefined) ?? frames[0]) : frames[0];
      if (!known) {
        txId = await findGoTxId(this.#dap, raw);
        this.#txOf = { goroutine, txId };
      }
    } catch {
      // The stop is announced without its frame; the client asks for the stack itself.
    }
    if (this.#goroutine !== goroutine) return;
    const description = reason === 'exception' ? (stop.description ?? 'panic') : stop.description;
    const params: StoppedEventBody = {
      workspace: this.#options.workspace,
      reason,
      threadId,
      ...(description ? { description } : {}),
      ...(stop.text ? { text: stop.text } : {}),
      ...(txId === undefined ? {} : { txId }),
      ...(hitBreakpointIds.length > 0 ? { hitBreakpointIds } : {}),
      ...(frame ? { frame } : {}),
    };
    this.#stopped = params;
    this.#emit({ method: 'stopped', params });
  }

  #resumed(): void {
    this.#goroutine = undefined;
    this.#stopped = undefined;
    this.#emit({ method: 'continued', params: { workspace: this.#options.workspace, threadId, allThreadsContinued: true } });
  }

  #frame(frame: z.infer<typeof DapStackTrace>['stackFrames'][number]): StackFrame {
    const serverPath = frame.source?.path;
    const path = serverPath === undefined ? undefined : this.#workspacePath(serverPath);
    const name = frame.source?.name ?? serverPath?.split('/').pop() ?? '?';
    return {
      id: frame.id,
      name: frame.name,
      line: frame.line,
      column: frame.column,
      ...(serverPath === undefined ? {} : { source: path === undefined ? { name, presentationHint: 'deemphasize' as const } : { name, path } }),
      ...(path === undefined ? { presentationHint: 'subtle' as const } : {}),
    };
  }

  /** A workspace file's path in the binary (`-trimpath`: the module path, then the file). */
  #serverPath(path: string): string {
    return `${this.#options.modulePath}/${path}`;
  }

  /** The workspace path of a file in the binary, or undefined for the Go runtime's and dependencies' files. */
  #workspacePath(serverPath: string): string | undefined {
    const prefix = `${this.#options.modulePath}/`;
    return serverPath.startsWith(prefix) && !serverPath.includes('@') ? serverPath.slice(prefix.length) : undefined;
  }

  #requirePause(): number {
    if (this.#goroutine === undefined) throw new StudioError(ErrorCode.Debugger, 'The chaincode is not paused: set a breakpoint and invoke a transaction that reaches it.');
    return this.#goroutine;
  }

  #emit(notification: DebugNotification): void {
    try {
      this.#options.emit(notification);
    } catch {
      // A listener's failure is not the debugger's.
    }
  }
}

/** Delve's stop reasons in the protocol's words (a panic stops as an exception). */
function stopReason(reason: string): StoppedEventBody['reason'] {
  if (reason === 'breakpoint' || reason === 'function breakpoint' || reason === 'data breakpoint') return 'breakpoint';
  if (reason === 'step' || reason === 'pause' || reason === 'entry') return reason;
  return 'exception';
}
