/**
 * The one wire protocol between the browser and the server, declared once.
 *
 * Every request method has a params schema (validated by the server at run
 * time) and a result type. TypeScript types are derived from the schemas, so
 * the client and server cannot drift apart. Debugger methods follow the names
 * and shapes of the Debug Adapter Protocol.
 */
import { z } from 'zod';
import type { ErrorBody } from './errors.ts';
import type { ContractMetadata, InvokeResult } from './contract.ts';
import { FabricConnectionParams, type DeployStepInfo } from './deploy.ts';
import type { LogLine } from './logLines.ts';
import type { SandboxStatus } from './sandboxStatus.ts';
import { ChaincodeDefinitionParams, FabricIdentity } from './fabric.ts';
import { ExceptionFilter, SourceBreakpoint, type Breakpoint, type DapSource, type DebuggerState, type Scope, type StackFrame, type StoppedEventBody, type Variable } from './dap.ts';
import { CcaasOptions, DefinitionOptions, type ExportHandover } from './exportOptions.ts';
import { FileSearchParams, type FileSearchResult } from './fileSearch.ts';
import { ImportArchive, ImportFile, type ImportSkipped } from './workspaceImport.ts';
import type { KeyHistoryEntry, LedgerBlockSummary, LedgerTransaction, LedgerValue, WorldStateEntry } from './ledger.ts';
import type { DependencyTypes } from './dependencyTypes.ts';
import type { ClientConnection } from './clientConnection.ts';
import { InvokeTestName, InvokeTestStep, type InvokeTestRunResult } from './invokeTests.ts';
import { EndorsingOrgs, mspIdPattern, NetworkSettingsParams, type NetworkChange, type NetworkSettings, type NetworkSettingsIssue } from './networkSettings.ts';

export * from './clientConnection.ts';
export * from './dap.ts';
export * from './exportOptions.ts';
export * from './fileSearch.ts';
export * from './workspaceImport.ts';
export * from './dependencyTypes.ts';
export * from './sandboxStatus.ts';
export * from './contract.ts';
export * from './logLines.ts';
export * from './deploy.ts';

// ---- shared pieces -------------------------------------------------------

/** A workspace id: lowercase letters, digits and dashes, as shown in the UI. */
export const WorkspaceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a workspace id is 1-63 lowercase letters, digits or dashes');

/** A path inside a workspace, '/'-separated and relative. Confinement is checked by the server. */
export const RelPath = z.string().min(1).max(512);

const ws = { workspace: WorkspaceId };
/** A block number, as decimal text (Fabric's uint64). */
const BlockNumber = z.string().regex(/^\d{1,20}$/, 'a block number');
const TxId = z.string().regex(/^[0-9a-f]{1,128}$/i, 'a transaction id');

export const FileEntry = z.object({
  path: z.string(),
  kind: z.enum(['file', 'dir']),
  size: z.number().optional(),
});
export type FileEntry = z.infer<typeof FileEntry>;

export const Diagnostic = z.object({
  file: z.string(),
  line: z.number(),
  column: z.number(),
  endLine: z.number().optional(),
  endColumn: z.number().optional(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  code: z.string().optional(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

/** An export's id: the server keeps the exported file under it; download and deploy name it. */
export const ExportId = z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'an export id');

/** Where downloads are served: `GET <prefix><exportId>?token=…`. */
export const downloadPathPrefix = '/download/';
/** The URL path the browser downloads an export from (the client adds the token). */
export function downloadPath(exportId: string): string {
  return `${downloadPathPrefix}${encodeURIComponent(exportId)}`;
}

/** The URL path prefix of a workspace's sources as a `.zip` (`GET <prefix><workspace>?token=…`). */
export const workspaceZipPathPrefix = '/workspace-zip/';
/** The URL path the browser downloads a workspace's sources from (the client adds the token). */
export function workspaceZipPath(workspace: string): string {
  return `${workspaceZipPathPrefix}${encodeURIComponent(workspace)}`;
}

// ---- requests ------------------------------------------------------------

/**
 * Each request method: its params schema and (as a type) its result.
 * The server validates params with the schema before any handler runs.
 */
export const requestParams = {
  'sample/list': z.object({}),
  'workspace/list': z.object({}),
  'workspace/create': z.object({ name: WorkspaceId, sample: z.string().min(1).max(64) }),
  /** Creates workspace `name` from an archive or a picked folder's files, all or nothing. */
  'workspace/import': z.union([
    z.object({ name: WorkspaceId, archive: ImportArchive }).strict(),
    z.object({ name: WorkspaceId, files: z.array(ImportFile).max(20_000) }).strict(),
  ]),
  'workspace/open': z.object(ws),
  'workspace/delete': z.object(ws),
  /** The project settings (the chaincode name and where it comes from), readable before the first Run. */
  'workspace/settings': z.object(ws),
  /** Sets the chaincode name in the workspace's studio.json; it takes effect at the next Run or export. */
  'workspace/setChaincodeName': z.object({ ...ws, chaincodeName: ChaincodeDefinitionParams.shape.name }),
  /** The network the chaincode is meant for (orgs, channel, policy, collections, state database), with every problem of studio.json's. */
  'workspace/network': z.object(ws),
  /** Writes the network settings into studio.json once they and their collections config check out; applies at the next Run. */
  'workspace/setNetwork': z.object({ ...ws, network: NetworkSettingsParams }),
  /** The declaration files of the workspace's installed npm packages, for the editor. */
  'dependencies/types': z.object(ws),

  'file/list': z.object(ws),
  'file/read': z.object({ ...ws, path: RelPath }),
  /** Lines of the workspace's text files that hold `query`. */
  'file/search': FileSearchParams.extend(ws),
  'file/write': z.object({ ...ws, path: RelPath, content: z.string() }),
  'file/create': z.object({ ...ws, path: RelPath, kind: z.enum(['file', 'dir']) }),
  'file/rename': z.object({ ...ws, from: RelPath, to: RelPath }),
  'file/delete': z.object({ ...ws, path: RelPath }),

  run: z.object({ ...ws, restartOnSave: z.boolean().optional() }),
  'sandbox/status': z.object(ws),
  'sandbox/stop': z.object(ws),
  'sandbox/destroy': z.object(ws),
  'chaincode/stop': z.object(ws),
  'chaincode/metadata': z.object(ws),
  invoke: z.object({
    ...ws,
    mode: z.enum(['submit', 'evaluate']),
    contract: z.string().max(256),
    fn: z.string().min(1).max(256),
    args: z.array(z.string().max(1_000_000)).max(100),
    transient: z.record(z.string().max(256), z.string().max(1_000_000)).optional(),
    /** The orgs whose peers must endorse (the Gateway's endorsing organizations), e.g. for private data with transient input; none: the Gateway picks by the policy. */
    endorsingOrgs: EndorsingOrgs.optional(),
    /** The org whose client identity submits or evaluates, through its own peer's Gateway; none: the first org. */
    asOrg: z.string().regex(mspIdPattern, 'an MSP ID').optional(),
  }),
  'logs/history': z.object(ws),
  /** What a client application of the user's own needs to reach the sandbox (see clientConnection.ts). */
  'client/connection': z.object(ws),

  /** Committed blocks newest first (below `before` when given); new ones arrive as `ledger/block`. */
  'ledger/blocks': z.object({ ...ws, before: BlockNumber.optional(), limit: z.number().int().min(1).max(200).default(50) }),
  /** One committed transaction with its read/write set. */
  'ledger/transaction': z.object({ ...ws, txId: TxId, blockNumber: BlockNumber.optional() }),
  /** A value a transaction wrote, read whole from its block (the views show values cut at 16 KiB). */
  'ledger/value': z.object({
    ...ws,
    namespace: z.string().max(256).optional(),
    key: z.string().max(65_536),
    blockNumber: BlockNumber,
    txId: TxId.optional(),
    txNum: z.string().regex(/^\d{1,9}$/, 'a transaction number').optional(),
  }).refine((p) => (p.txId === undefined) !== (p.txNum === undefined), 'give either txId or txNum'),
  /** A page of a chaincode namespace's world state in key order (default: the workspace's chaincode). */
  'ledger/worldState': z.object({
    ...ws,
    namespace: z.string().max(256).optional(),
    search: z.string().max(1024).optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(100),
  }),
  'ledger/keyHistory': z.object({ ...ws, namespace: z.string().max(256).optional(), key: z.string().max(65_536) }),

  /** Writes `tests/<name>.invokes.json` (protocol/invokeTests.ts), e.g. from the invoke history with what it answered. */
  'tests/save': z.object({ ...ws, name: InvokeTestName, description: z.string().max(2000).optional(), invokes: z.array(InvokeTestStep).min(1).max(1000) }),
  /** Replays every test file on a throwaway sandbox; steps stream as `sandbox/progress` (step `tests:<step>`). */
  'tests/run': z.object(ws),

  setBreakpoints: z.object({ ...ws, source: z.object({ path: RelPath }), breakpoints: z.array(SourceBreakpoint).max(500) }),
  setExceptionBreakpoints: z.object({ ...ws, filters: z.array(ExceptionFilter).max(2) }),
  threads: z.object(ws),
  stackTrace: z.object({ ...ws, threadId: z.number().int().optional() }),
  scopes: z.object({ ...ws, frameId: z.number().int() }),
  variables: z.object({ ...ws, variablesReference: z.number().int() }),
  continue: z.object(ws),
  next: z.object(ws),
  stepIn: z.object(ws),
  stepOut: z.object(ws),
  pause: z.object(ws),
  evaluate: z.object({
    ...ws,
    expression: z.string().min(1).max(10_000),
    frameId: z.number().int().optional(),
    context: z.enum(['watch', 'repl', 'hover']).optional(),
  }),
  disconnect: z.object(ws),

  'export/package': DefinitionOptions.extend({
    ...ws,
    label: z.string().max(256),
  }),
  'export/ccaas': CcaasOptions.extend({
    ...ws,
    label: z.string().max(256),
    baseImage: z.string().max(256).optional(),
    image: z.string().max(256).optional(),
    /** The organization whose peers run the chaincode (CORE_PEER_LOCALMSPID); default Org1MSP. */
    mspId: FabricIdentity.shape.mspId.optional(),
  }),
  /** Install, approve and commit a package on a network; steps stream as `sandbox/progress` (step `deploy:<step>`). */
  deploy: z.object({
    ...ws,
    connection: FabricConnectionParams,
    chaincode: ChaincodeDefinitionParams,
    package: z.discriminatedUnion('from', [
      /** A file this workspace exported (the `exportId` of its export reply): a package, or a ccaas bundle (its package is used). */
      z.object({ from: z.literal('export'), exportId: ExportId }),
      /** Package the workspace now: `node`, or `ccaas` reaching the chaincode server at `address` (host:port). */
      z.object({ from: z.literal('workspace'), type: z.enum(['node', 'ccaas']), label: z.string().min(1).max(256), address: z.string().max(300).optional() }),
    ]),
  }),
} as const;

export type Method = keyof typeof requestParams;
export type ParamsOf<M extends Method> = z.infer<(typeof requestParams)[M]>;

export interface ExportedFile {
  fileName: string;
  /** Names the exact bytes kept on the server: download them from {@link downloadPath}, deploy them by this id. */
  exportId: string;
  sizeBytes: number;
  sha256: string;
  packageId?: string;
}

/** A workspace's chaincode name and where it comes from: studio.json, package.json's name, or (neither) the workspace's name. */
export interface WorkspaceSettings {
  chaincodeName: string;
  source: 'studio.json' | 'package.json' | 'workspace';
}

/** A workspace's network settings as studio.json has them (null when they cannot be read), each problem at its field, and the workspace's files that look like a collections config. */
export interface WorkspaceNetworkResult {
  network: NetworkSettings | null;
  issues: NetworkSettingsIssue[];
  /** The collections of the collections config, when it checks out. */
  collections: { name: string; policy: string }[];
  /** Files named like a collections config (collections_config.json and the like), offered in the Settings view. */
  collectionsFiles: string[];
}

export interface ResultMap {
  'sample/list': { samples: { id: string; title: string; language: 'typescript' | 'javascript' | 'go' }[] };
  'workspace/list': { workspaces: { id: string; language: 'typescript' | 'javascript' | 'go'; modified: string }[] };
  'workspace/create': { workspace: string };
  /** `imported` files were written; `skipped` says what was left out and why. */
  'workspace/import': { workspace: string; imported: number; skipped: ImportSkipped[] };
  /** `workspaceToken` opens this workspace and no other (share it instead of the server's main token). */
  'workspace/open': { workspace: string; files: FileEntry[]; status: SandboxStatus; diagnostics: Diagnostic[]; debugger: DebuggerState; workspaceToken?: string };
  'workspace/delete': Record<string, never>;
  'workspace/settings': WorkspaceSettings;
  /** `path` and `version` are those of the studio.json just written. */
  'workspace/setChaincodeName': WorkspaceSettings & { path: string; version: string };
  'workspace/network': WorkspaceNetworkResult;
  /** `change` says what the next Run does with the sandbox: a new definition, or a rebuilt network. */
  'workspace/setNetwork': WorkspaceNetworkResult & { path: string; version: string; change: NetworkChange };
  'dependencies/types': DependencyTypes;

  'file/list': { files: FileEntry[] };
  'file/read': { path: string; content: string; version: string };
  'file/search': FileSearchResult;
  'file/write': { path: string; version: string };
  'file/create': { path: string };
  'file/rename': { from: string; to: string };
  'file/delete': { path: string };

  run: { ok: boolean; diagnostics: Diagnostic[]; status: SandboxStatus; metadata?: ContractMetadata };
  'sandbox/status': SandboxStatus;
  'sandbox/stop': SandboxStatus;
  'sandbox/destroy': SandboxStatus;
  'chaincode/stop': SandboxStatus;
  'chaincode/metadata': ContractMetadata;
  invoke: InvokeResult;
  'logs/history': { lines: LogLine[] };
  'client/connection': ClientConnection;

  'ledger/blocks': { height: string; blocks: LedgerBlockSummary[] };
  'ledger/transaction': LedgerTransaction & { blockNumber: string };
  'ledger/worldState': { namespace: string; namespaces: string[]; total: number; entries: WorldStateEntry[] };
  'ledger/keyHistory': { namespace: string; key: string; history: KeyHistoryEntry[] };
  'ledger/value': LedgerValue;
  'tests/save': { path: string; version: string };
  'tests/run': InvokeTestRunResult;

  setBreakpoints: { breakpoints: Breakpoint[] };
  setExceptionBreakpoints: Record<string, never>;
  threads: { threads: { id: number; name: string }[] };
  stackTrace: { stackFrames: StackFrame[]; totalFrames: number };
  scopes: { scopes: Scope[] };
  variables: { variables: Variable[] };
  continue: { allThreadsContinued: boolean };
  next: Record<string, never>;
  stepIn: Record<string, never>;
  stepOut: Record<string, never>;
  pause: Record<string, never>;
  evaluate: { result: string; type?: string; variablesReference: number };
  disconnect: Record<string, never>;

  'export/package': ExportedFile & { packageId: string; label: string; handover: ExportHandover };
  'export/ccaas': ExportedFile & { packageId: string; label: string; handover: ExportHandover };
  deploy: {
    packageId: string;
    steps: DeployStepInfo[];
    committed: { sequence: number; version: string; approvals: Record<string, boolean> };
  };
}
export type ResultOf<M extends Method> = ResultMap[M];

// ---- notifications (server → client) ---------------------------------------

export interface NotificationMap {
  'sandbox/status': SandboxStatus;
  'sandbox/progress': { workspace: string; step: string; message: string; percent?: number };
  log: { workspace: string; lines: LogLine[] };
  diagnostics: { workspace: string; diagnostics: Diagnostic[] };
  'file/changed': { workspace: string; path: string; change: 'written' | 'created' | 'deleted' | 'renamed'; version?: string; to?: string };
  'chaincode/metadata': { workspace: string; metadata: ContractMetadata };
  /** A block the sandbox's peer committed (its transactions without read/write sets). */
  'ledger/block': { workspace: string; block: LedgerBlockSummary };
  /** Run installed (or found installed) the workspace's dependencies: ask `dependencies/types` again when `key` is new. */
  'dependencies/installed': { workspace: string; key: string };

  // Debug Adapter Protocol events.
  stopped: StoppedEventBody;
  continued: { workspace: string; threadId: number; allThreadsContinued: boolean };
  output: { workspace: string; category: 'console' | 'stdout' | 'stderr'; output: string; source?: DapSource; line?: number };
  /** A breakpoint the debugger moved or verified after the reply to setBreakpoints. */
  breakpoint: { workspace: string; reason: 'changed'; breakpoint: Breakpoint & { path: string } };
  /** The breakpoints of one source after a tab changed them (every tab shows the server's list). */
  'breakpoints/changed': { workspace: string; source: { path: string }; breakpoints: SourceBreakpoint[] };
  /** The exception filters after a tab changed them. */
  'exceptionBreakpoints/changed': { workspace: string; filters: ExceptionFilter[] };
}
export type NotificationName = keyof NotificationMap;

// ---- envelopes -----------------------------------------------------------

/** Client → server. `id` matches the reply. */
export const RequestEnvelope = z.object({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
});
export type RequestEnvelope = z.infer<typeof RequestEnvelope>;

export type Reply<M extends Method = Method> =
  | { id: number; result: ResultOf<M> }
  | { id: number | null; error: ErrorBody };

export interface Notification<N extends NotificationName = NotificationName> {
  method: N;
  params: NotificationMap[N];
}

export type ServerMessage = Reply | Notification;

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(requestParams, name);
}
