import type {
  Breakpoint,
  ContractMetadata,
  Diagnostic,
  ExceptionDetails,
  ExceptionFilter,
  FileEntry,
  InvokeResult,
  LogLine,
  NotificationMap,
  ResultOf,
  SandboxStatus,
  SourceBreakpoint,
  StackFrame,
} from '../../../protocol/messages.ts';
import type { LimitData } from '../../../protocol/errorData.ts';
import { consoleEntriesKeptMax, invokeHistoryMax, logLinesKeptPerSourceMax } from '../config.ts';
import type { ConnectionState } from '../rpc/rpcClient.ts';
import { editorTabsReducer, type EditorTabsAction } from './editorTabsState.ts';
import { appendLogs } from './logBuffer.ts';
import type { LogBuffer, TransactionLogs } from './logBuffer.ts';
import { initialLedgerState, ledgerReducer } from './ledgerState.ts';
import type { LedgerAction, LedgerState } from './ledgerState.ts';

export type Sample = ResultOf<'sample/list'>['samples'][number];
export type WorkspaceSummary = ResultOf<'workspace/list'>['workspaces'][number];
export type StoppedInfo = NotificationMap['stopped'];
export type SandboxProgress = Omit<NotificationMap['sandbox/progress'], 'workspace'>;
export type { ExceptionFilter };
export type BottomTab = 'problems' | 'logs' | 'console' | 'ledger';
export type SideTab = 'transaction' | 'debug';
/** A chooser over the whole window: quick open (Ctrl+P) or search across files (Ctrl+Shift+F). */
export type Overlay = 'quickOpen' | 'search';

/** An editor tab. The text itself lives in the Monaco model of the same path. */
export interface OpenTab {
  path: string;
  dirty: boolean;
}

/** What was invoked, so it can be run again. */
export interface InvokeRequest {
  mode: 'submit' | 'evaluate';
  contract: string;
  fn: string;
  args: string[];
  transient: Record<string, string>;
  /** The orgs whose peers must endorse; absent: the Gateway picks by the endorsement policy. */
  endorsingOrgs?: string[];
  /** The org whose client identity sends it (through its own peer); absent: the first org. */
  asOrg?: string;
}

/** One invoke in the history, with how it ended. */
export interface InvokeRecord {
  id: number;
  request: InvokeRequest;
  startedAt: string;
  /** Set when the chaincode ran the previous build as the invoke was sent (SandboxStatus.previousBuild). */
  previousBuild?: string;
  /** A failure carries the exception the chaincode threw, when the debugger saw it. */
  outcome: { ok: true; result: InvokeResult } | { ok: false; code: string; message: string; exception?: ExceptionDetails } | { pending: true };
}

/** A line of the Debug Console. */
export interface ConsoleEntry {
  id: number;
  kind: 'input' | 'result' | 'error' | 'console' | 'stdout' | 'stderr';
  text: string;
}

/** A short message shown to the user at the bottom right. */
export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

/** Run was refused at a sandbox cap: the server's words, and the caller's running sandboxes that could be stopped. */
export interface RunBlocked {
  message: string;
  limit: LimitData | null;
  /** Set once the user stopped one of the listed sandboxes: a slot is free. */
  freed?: boolean;
}

/** Everything the IDE shows. */
export interface StudioState {
  connection: ConnectionState;
  samples: Sample[];
  workspaces: WorkspaceSummary[];
  workspace: string | null;
  files: FileEntry[];
  status: SandboxStatus | null;
  progress: SandboxProgress | null;
  diagnostics: Diagnostic[];
  metadata: ContractMetadata | null;
  tabs: OpenTab[];
  activeTab: string | null;
  /** Where the editor should put the cursor next (a problem or a paused frame). */
  reveal: { path: string; line: number; column: number; seq: number } | null;
  logs: LogBuffer;
  /** The Logs view shows only this transaction's lines. */
  logTransaction: TransactionLogs | null;
  breakpoints: Record<string, SourceBreakpoint[]>;
  /** The server's answer to the last `setBreakpoints` of each file. */
  breakpointResults: Record<string, Breakpoint[]>;
  exceptionFilters: ExceptionFilter[];
  debuggerAttached: boolean;
  paused: StoppedInfo | null;
  stack: StackFrame[];
  selectedFrameId: number | null;
  watches: string[];
  consoleEntries: ConsoleEntry[];
  invokes: InvokeRecord[];
  /** The toolbar action in progress, if any. */
  busy: 'run' | 'stop' | 'sandbox' | null;
  /** Set while the last Run was refused at a sandbox cap, until a Run starts or the workspace changes. */
  runBlocked: RunBlocked | null;
  restartOnSave: boolean;
  bottomTab: BottomTab;
  sideTab: SideTab;
  /** The Ledger tab: blocks, the open transaction, world state (ledgerState.ts). */
  ledger: LedgerState;
  overlay: Overlay | null;
  notices: Notice[];
  nextId: number;
}

export type StudioAction =
  | { type: 'connection'; state: ConnectionState }
  | { type: 'samples'; samples: Sample[] }
  | { type: 'workspaces'; workspaces: WorkspaceSummary[] }
  | { type: 'workspaceOpened'; result: ResultOf<'workspace/open'> }
  | { type: 'workspaceClosed' }
  | { type: 'files'; files: FileEntry[] }
  | { type: 'status'; status: SandboxStatus }
  | { type: 'progress'; progress: SandboxProgress }
  | { type: 'diagnostics'; diagnostics: Diagnostic[] }
  | { type: 'metadata'; metadata: ContractMetadata | null }
  | EditorTabsAction
  | { type: 'reveal'; path: string; line: number; column: number }
  | { type: 'logs'; lines: readonly LogLine[] }
  | { type: 'logsReplaced'; lines: readonly LogLine[] }
  | { type: 'logsCleared' }
  | { type: 'logsForTransaction'; transaction: TransactionLogs | null }
  | { type: 'breakpoints'; path: string; breakpoints: SourceBreakpoint[] }
  | { type: 'breakpointResults'; path: string; results: Breakpoint[] }
  | { type: 'exceptionFilters'; filters: ExceptionFilter[] }
  | { type: 'debuggerAttached'; attached: boolean }
  | { type: 'stopped'; info: StoppedInfo }
  | { type: 'stack'; frames: StackFrame[] }
  | { type: 'frameSelected'; frameId: number }
  | { type: 'continued' }
  | { type: 'watches'; watches: string[] }
  | { type: 'console'; kind: ConsoleEntry['kind']; text: string }
  | { type: 'consoleCleared' }
  | { type: 'invokeStarted'; request: InvokeRequest }
  | { type: 'invokeFinished'; id: number; outcome: InvokeRecord['outcome'] }
  | { type: 'invokesRestored'; invokes: InvokeRecord[] }
  | { type: 'busy'; busy: StudioState['busy'] }
  | { type: 'runBlocked'; blocked: RunBlocked | null }
  | { type: 'restartOnSave'; value: boolean }
  | { type: 'bottomTab'; tab: BottomTab }
  | { type: 'sideTab'; tab: SideTab }
  | { type: 'ledger'; action: LedgerAction }
  | { type: 'overlay'; overlay: Overlay | null }
  | { type: 'notice'; kind: Notice['kind']; text: string }
  | { type: 'noticeDismissed'; id: number };

/** The state before anything is known. */
export function initialStudioState(restartOnSave: boolean): StudioState {
  return {
    connection: 'connecting',
    samples: [],
    workspaces: [],
    workspace: null,
    files: [],
    status: null,
    progress: null,
    diagnostics: [],
    metadata: null,
    tabs: [],
    activeTab: null,
    reveal: null,
    logs: { entries: [], nextId: 1 },
    logTransaction: null,
    breakpoints: {},
    breakpointResults: {},
    exceptionFilters: ['uncaught'],
    debuggerAttached: false,
    paused: null,
    stack: [],
    selectedFrameId: null,
    watches: [],
    consoleEntries: [],
    invokes: [],
    busy: null,
    runBlocked: null,
    restartOnSave,
    bottomTab: 'problems',
    sideTab: 'transaction',
    ledger: initialLedgerState(),
    overlay: null,
    notices: [],
    nextId: 1,
  };
}

/** Applies one action. Pure: returns the same object when nothing changed. */
export function studioReducer(state: StudioState, action: StudioAction): StudioState {
  switch (action.type) {
    case 'connection':
      return state.connection === action.state ? state : { ...state, connection: action.state };
    case 'samples':
      return { ...state, samples: action.samples };
    case 'workspaces':
      return { ...state, workspaces: action.workspaces };
    case 'workspaceOpened': {
      const same = state.workspace === action.result.workspace;
      // The server is the one source of truth for the debugger: breakpoints, filters and the pause.
      const debug = action.result.debugger;
      const paused = debug.paused ?? null;
      const keepStack = same && paused !== null && state.paused?.frame?.id === paused.frame?.id;
      return {
        ...state,
        workspace: action.result.workspace,
        files: action.result.files,
        status: action.result.status,
        diagnostics: action.result.diagnostics,
        progress: same ? state.progress : null,
        metadata: same ? state.metadata : null,
        tabs: same ? state.tabs : [],
        activeTab: same ? state.activeTab : null,
        logs: same ? state.logs : { entries: [], nextId: state.logs.nextId },
        logTransaction: same ? state.logTransaction : null,
        breakpoints: Object.fromEntries(debug.breakpoints.map((source) => [source.path, source.breakpoints])),
        breakpointResults: same ? state.breakpointResults : {},
        exceptionFilters: debug.exceptionFilters,
        debuggerAttached: debug.attached,
        paused,
        stack: keepStack ? state.stack : paused?.frame ? [paused.frame] : [],
        selectedFrameId: keepStack ? state.selectedFrameId : (paused?.frame?.id ?? null),
        sideTab: paused && !same ? 'debug' : state.sideTab,
        invokes: same ? state.invokes : [],
        consoleEntries: same ? state.consoleEntries : [],
        runBlocked: same ? state.runBlocked : null,
        ledger: same ? state.ledger : initialLedgerState(),
      };
    }
    case 'workspaceClosed':
      return { ...initialStudioState(state.restartOnSave), connection: state.connection, samples: state.samples, workspaces: state.workspaces };
    case 'files':
      return { ...state, files: action.files };
    case 'status':
      if (action.status.workspace !== state.workspace) return state;
      return {
        ...state,
        status: action.status,
        progress: action.status.phase === 'ready' || action.status.phase === 'error' ? null : state.progress,
        debuggerAttached: action.status.debuggerAttached ?? state.debuggerAttached,
        // While a save compiles, the last build keeps running; a failed compile leaves it (and its metadata) in place.
        metadata: action.status.chaincode === 'running' || action.status.chaincode === 'compiling' ? state.metadata : null,
      };
    case 'progress':
      return { ...state, progress: action.progress };
    case 'diagnostics':
      return { ...state, diagnostics: action.diagnostics };
    case 'metadata':
      return { ...state, metadata: action.metadata };
    case 'tabOpened':
    case 'tabActivated':
    case 'tabClosed':
    case 'dirty':
    case 'pathMoved':
    case 'pathDeleted':
      return editorTabsReducer(state, action);
    case 'reveal':
      return {
        ...state,
        reveal: { path: action.path, line: action.line, column: action.column, seq: (state.reveal?.seq ?? 0) + 1 },
      };
    case 'logs':
      return { ...state, logs: appendLogs(state.logs, action.lines, logLinesKeptPerSourceMax) };
    case 'logsReplaced':
      return { ...state, logs: appendLogs({ entries: [], nextId: state.logs.nextId }, action.lines, logLinesKeptPerSourceMax) };
    case 'logsCleared':
      return { ...state, logs: { entries: [], nextId: state.logs.nextId } };
    case 'logsForTransaction':
      return { ...state, logTransaction: action.transaction, bottomTab: action.transaction ? 'logs' : state.bottomTab };
    case 'breakpoints':
      return { ...state, breakpoints: { ...state.breakpoints, [action.path]: action.breakpoints } };
    case 'breakpointResults':
      return { ...state, breakpointResults: { ...state.breakpointResults, [action.path]: action.results } };
    case 'exceptionFilters':
      return { ...state, exceptionFilters: action.filters };
    case 'debuggerAttached':
      return {
        ...state,
        debuggerAttached: action.attached,
        paused: action.attached ? state.paused : null,
        stack: action.attached ? state.stack : [],
        selectedFrameId: action.attached ? state.selectedFrameId : null,
      };
    case 'stopped':
      return { ...state, paused: action.info, stack: action.info.frame ? [action.info.frame] : [], selectedFrameId: action.info.frame?.id ?? null, sideTab: 'debug' };
    case 'stack':
      return {
        ...state,
        stack: action.frames,
        selectedFrameId: action.frames.some((f) => f.id === state.selectedFrameId) ? state.selectedFrameId : (action.frames[0]?.id ?? null),
      };
    case 'frameSelected':
      return { ...state, selectedFrameId: action.frameId };
    case 'continued':
      return state.paused ? { ...state, paused: null, stack: [], selectedFrameId: null } : state;
    case 'watches':
      return { ...state, watches: action.watches };
    case 'console': {
      const entry: ConsoleEntry = { id: state.nextId, kind: action.kind, text: action.text };
      const entries = [...state.consoleEntries, entry];
      return {
        ...state,
        consoleEntries: entries.length > consoleEntriesKeptMax ? entries.slice(entries.length - consoleEntriesKeptMax) : entries,
        nextId: state.nextId + 1,
      };
    }
    case 'consoleCleared':
      return { ...state, consoleEntries: [] };
    case 'invokeStarted': {
      const previousBuild = state.status?.previousBuild;
      const record: InvokeRecord = {
        id: state.nextId,
        request: action.request,
        startedAt: new Date().toISOString(),
        ...(previousBuild === undefined ? {} : { previousBuild }),
        outcome: { pending: true },
      };
      return { ...state, invokes: [record, ...state.invokes].slice(0, invokeHistoryMax), nextId: state.nextId + 1 };
    }
    case 'invokeFinished':
      return { ...state, invokes: state.invokes.map((r) => (r.id === action.id ? { ...r, outcome: action.outcome } : r)) };
    case 'invokesRestored': {
      // Numbered anew so the ids stay unique in this tab.
      const invokes = action.invokes.slice(0, invokeHistoryMax).map((r, i) => ({ ...r, id: state.nextId + i }));
      return { ...state, invokes, nextId: state.nextId + invokes.length };
    }
    case 'busy':
      return { ...state, busy: action.busy };
    case 'runBlocked':
      return { ...state, runBlocked: action.blocked };
    case 'restartOnSave':
      return { ...state, restartOnSave: action.value };
    case 'bottomTab':
      return { ...state, bottomTab: action.tab };
    case 'sideTab':
      return { ...state, sideTab: action.tab };
    case 'ledger': {
      const ledger = ledgerReducer(state.ledger, action.action);
      return ledger === state.ledger ? state : { ...state, ledger };
    }
    case 'overlay':
      return state.overlay === action.overlay ? state : { ...state, overlay: action.overlay };
    case 'notice':
      return { ...state, notices: [...state.notices.slice(-3), { id: state.nextId, kind: action.kind, text: action.text }], nextId: state.nextId + 1 };
    case 'noticeDismissed':
      return { ...state, notices: state.notices.filter((n) => n.id !== action.id) };
  }
}
