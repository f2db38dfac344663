import type { languages } from 'monaco-editor/editor/editor.api';
import type { Scope, SourceBreakpoint, Variable } from '../../../protocol/messages.ts';
import { breakpointSyncDelayMs } from '../config.ts';
import { loadMonaco } from '../monaco/loadMonaco.ts';
import type { ExceptionFilter } from '../state/studioState.ts';
import { currentWorkspace, reportError } from './deps.ts';
import type { StudioDeps } from './deps.ts';
import type { FileModels } from './fileModels.ts';
import { pathOfUri } from './fileModels.ts';
import { expressionAt } from '../monaco/hoverExpression.ts';

/** What the UI asks of the debugger. */
export interface DebugController {
  toggleBreakpoint(path: string, line: number): void;
  /** Adds or replaces the breakpoint at `line` (with a condition or log message). */
  setBreakpoint(path: string, breakpoint: SourceBreakpoint): void;
  removeBreakpoint(path: string, line: number): void;
  /** Keeps the breakpoint at `line` but takes it out of the program (or puts it back). */
  setBreakpointEnabled(path: string, line: number, enabled: boolean): void;
  /** Removes every breakpoint of the workspace. */
  removeAllBreakpoints(): void;
  /** Sends the breakpoint changes still waiting to be sent (before Run). The server keeps them; tabs never push their own copy. */
  syncAllBreakpoints(): Promise<void>;
  setExceptionFilters(filters: ExceptionFilter[]): Promise<void>;
  /** After opening a workspace whose chaincode is paused: shows where, and the call stack. */
  showPause(): void;
  step(kind: 'continue' | 'next' | 'stepIn' | 'stepOut' | 'pause'): Promise<void>;
  selectFrame(frameId: number): void;
  /** Evaluates in the selected frame; throws an RpcError when the debugger refuses. */
  evaluate(expression: string, context: 'watch' | 'repl' | 'hover'): Promise<{ result: string; type?: string; variablesReference: number }>;
  variables(variablesReference: number): Promise<Variable[]>;
  scopes(frameId: number): Promise<Scope[]>;
  setWatches(watches: string[]): void;
  /** Handles the debugger notifications; returns the unsubscribe function. */
  listen(): () => void;
}

/** Creates the debugger controller: breakpoints, stepping, the paused state and hover evaluation. */
export function createDebugController(deps: StudioDeps, files: FileModels): DebugController {
  const { rpc, store, prefs } = deps;
  const syncTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** setBreakpoints requests on the way, per path: the server's echo of an older list must not undo a newer edit. */
  const sending = new Map<string, number>();

  const sendBreakpoints = async (path: string): Promise<void> => {
    const workspace = store.getState().workspace;
    if (!workspace) return;
    const breakpoints = store.getState().breakpoints[path] ?? [];
    sending.set(path, (sending.get(path) ?? 0) + 1);
    try {
      const reply = await rpc.request('setBreakpoints', { workspace, source: { path }, breakpoints });
      store.dispatch({ type: 'breakpointResults', path, results: reply.breakpoints });
    } catch (err) {
      reportError(store, `Could not set the breakpoints of ${path}`, err);
    } finally {
      const left = (sending.get(path) ?? 1) - 1;
      if (left > 0) sending.set(path, left);
      else sending.delete(path);
    }
  };

  const changed = (path: string, breakpoints: SourceBreakpoint[]): void => {
    store.dispatch({ type: 'breakpoints', path, breakpoints: [...breakpoints].sort((a, b) => a.line - b.line) });
    clearTimeout(syncTimers.get(path));
    syncTimers.set(
      path,
      setTimeout(() => {
        syncTimers.delete(path);
        void sendBreakpoints(path);
      }, breakpointSyncDelayMs),
    );
  };

  const refreshStack = async (): Promise<void> => {
    const state = store.getState();
    if (!state.workspace || !state.paused) return;
    try {
      const reply = await rpc.request('stackTrace', { workspace: state.workspace, threadId: state.paused.threadId });
      if (store.getState().paused !== state.paused) return;
      store.dispatch({ type: 'stack', frames: reply.stackFrames });
      if (!state.paused.frame) {
        const top = reply.stackFrames.find((f) => f.source?.path && f.source.presentationHint !== 'deemphasize');
        if (top?.source?.path) void files.open(top.source.path, { line: top.line, column: top.column });
      }
    } catch (err) {
      reportError(store, 'Could not read the call stack', err);
    }
  };

  const controller: DebugController = {
    toggleBreakpoint(path, line) {
      const current = store.getState().breakpoints[path] ?? [];
      const exists = current.some((b) => b.line === line);
      changed(path, exists ? current.filter((b) => b.line !== line) : [...current, { line }]);
    },
    setBreakpoint(path, breakpoint) {
      const current = (store.getState().breakpoints[path] ?? []).filter((b) => b.line !== breakpoint.line);
      changed(path, [...current, breakpoint]);
    },
    removeBreakpoint(path, line) {
      changed(path, (store.getState().breakpoints[path] ?? []).filter((b) => b.line !== line));
    },
    setBreakpointEnabled(path, line, enabled) {
      changed(
        path,
        (store.getState().breakpoints[path] ?? []).map((b) => {
          if (b.line !== line) return b;
          const { enabled: _was, ...rest } = b;
          return enabled ? rest : { ...rest, enabled: false };
        }),
      );
    },
    removeAllBreakpoints() {
      for (const path of Object.keys(store.getState().breakpoints)) changed(path, []);
    },
    async syncAllBreakpoints() {
      const pending = [...syncTimers.keys()];
      for (const timer of syncTimers.values()) clearTimeout(timer);
      syncTimers.clear();
      await Promise.all(pending.map(sendBreakpoints));
    },
    showPause() {
      const paused = store.getState().paused;
      if (!paused) return;
      const path = paused.frame?.source?.path;
      if (paused.frame && path) void files.open(path, { line: paused.frame.line, column: paused.frame.column });
      void refreshStack();
    },
    async setExceptionFilters(filters) {
      store.dispatch({ type: 'exceptionFilters', filters });
      const workspace = store.getState().workspace;
      if (!workspace) return;
      try {
        await rpc.request('setExceptionBreakpoints', { workspace, filters });
      } catch (err) {
        reportError(store, 'Could not set exception breakpoints', err);
      }
    },
    async step(kind) {
      try {
        await rpc.request(kind, { workspace: currentWorkspace(store) });
      } catch (err) {
        reportError(store, `Debugger '${kind}' failed`, err);
      }
    },
    selectFrame(frameId) {
      store.dispatch({ type: 'frameSelected', frameId });
      const frame = store.getState().stack.find((f) => f.id === frameId);
      if (frame?.source?.path) void files.open(frame.source.path, { line: frame.line, column: frame.column });
    },
    async evaluate(expression, context) {
      const state = store.getState();
      return rpc.request('evaluate', {
        workspace: currentWorkspace(store),
        expression,
        context,
        ...(state.selectedFrameId !== null ? { frameId: state.selectedFrameId } : {}),
      });
    },
    async variables(variablesReference) {
      const reply = await rpc.request('variables', { workspace: currentWorkspace(store), variablesReference });
      return reply.variables;
    },
    async scopes(frameId) {
      const reply = await rpc.request('scopes', { workspace: currentWorkspace(store), frameId });
      return reply.scopes;
    },
    setWatches(watches) {
      store.dispatch({ type: 'watches', watches });
      const workspace = store.getState().workspace;
      if (workspace) prefs.setWatches(workspace, watches);
    },
    listen() {
      const ours = <T extends { workspace: string }>(handler: (p: T) => void) => (p: T) => {
        if (p.workspace === store.getState().workspace) handler(p);
      };
      const offs = [
        rpc.on(
          'stopped',
          ours((info) => {
            store.dispatch({ type: 'stopped', info });
            const path = info.frame?.source?.path;
            if (info.frame && path) void files.open(path, { line: info.frame.line, column: info.frame.column });
            void refreshStack();
          }),
        ),
        rpc.on('continued', ours(() => store.dispatch({ type: 'continued' }))),
        rpc.on(
          'output',
          ours((p) => {
            const where = p.source?.path && p.line ? `  (${p.source.path}:${p.line})` : '';
            store.dispatch({ type: 'console', kind: p.category, text: p.output.replace(/\n$/, '') + where });
          }),
        ),
        rpc.on(
          'breakpoints/changed',
          ours((p) => {
            // A newer edit of this tab is on its way: its own echo will follow.
            if (syncTimers.has(p.source.path) || sending.has(p.source.path)) return;
            store.dispatch({ type: 'breakpoints', path: p.source.path, breakpoints: [...p.breakpoints].sort((a, b) => a.line - b.line) });
          }),
        ),
        rpc.on('exceptionBreakpoints/changed', ours((p) => store.dispatch({ type: 'exceptionFilters', filters: p.filters }))),
        rpc.on(
          'breakpoint',
          ours((p) => {
            const { path, ...bp } = p.breakpoint;
            const current = store.getState().breakpointResults[path] ?? [];
            const rest = current.filter((b) => b.id !== bp.id);
            store.dispatch({ type: 'breakpointResults', path, results: [...rest, bp] });
          }),
        ),
      ];
      void registerHover();
      return () => offs.forEach((off) => off());
    },
  };

  let hoverRegistered = false;
  const registerHover = async (): Promise<void> => {
    if (hoverRegistered) return;
    hoverRegistered = true;
    const monaco = await loadMonaco();
    const provider: languages.HoverProvider = {
      provideHover: async (model, position) => {
        if (!store.getState().paused || !pathOfUri(model.uri.toString())) return null;
        const expression = expressionAt(model.getLineContent(position.lineNumber), position.column);
        if (!expression) return null;
        try {
          const reply = await controller.evaluate(expression.text, 'hover');
          return {
            range: new monaco.Range(position.lineNumber, expression.startColumn, position.lineNumber, expression.endColumn),
            contents: [{ value: `\`${expression.text}\`${reply.type ? ` : ${reply.type}` : ''}` }, { value: '```\n' + reply.result + '\n```' }],
          };
        } catch {
          return null;
        }
      },
    };
    monaco.languages.registerHoverProvider('typescript', provider);
    monaco.languages.registerHoverProvider('javascript', provider);
  };

  return controller;
}
