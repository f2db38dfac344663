/**
 * DEV AID ONLY — not shipped, not the Studio server. A stand-in that answers
 * a few protocol methods with canned data from samples/asset-transfer-ts, so
 * the IDE can be looked at (and screenshotted) without Docker or Fabric.
 *
 *   npx tsx client/dev/fakeServer.ts [port]          (default 18080)
 *   STUDIO_SERVER_URL=http://127.0.0.1:18080 npx vite preview --port 5174
 *
 * Invoking any transaction while a breakpoint is set pauses it: the server
 * sends `stopped` and answers the invoke only after `continue`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type {
  ContractMetadata,
  Diagnostic,
  FileEntry,
  LogLine,
  NotificationMap,
  NotificationName,
  SandboxStatus,
  SourceBreakpoint,
  StackFrame,
} from '../../protocol/messages.ts';

const port = Number(process.argv[2] ?? 18080);
const sampleDir = join(import.meta.dirname, '../../samples/asset-transfer-ts');
const workspace = 'asset-demo';

const files = new Map<string, string>();
const walk = (dir: string): void => {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else files.set(relative(sampleDir, full), readFileSync(full, 'utf8'));
  }
};
walk(sampleDir);

const contractFile = [...files.keys()].find((p) => p.endsWith('Contract.ts')) ?? 'src/index.ts';
const status: SandboxStatus = {
  workspace,
  phase: 'ready',
  chaincode: 'running',
  fabricVersion: '2.5.0',
  channel: 'mychannel',
  chaincodeName: 'asset-demo',
  debuggerAttached: true,
};
const metadata: ContractMetadata = {
  raw: {},
  contracts: [
    {
      name: 'AssetTransferContract',
      isDefault: true,
      transactions: [
        { name: 'CreateAsset', kind: 'submit', params: [{ name: 'id', type: 'string' }, { name: 'color', type: 'string' }, { name: 'size', type: 'number' }, { name: 'owner', type: 'string' }, { name: 'appraisedValue', type: 'number' }] },
        { name: 'ReadAsset', kind: 'evaluate', params: [{ name: 'id', type: 'string' }], returns: 'string' },
        { name: 'TransferAsset', kind: 'submit', params: [{ name: 'id', type: 'string' }, { name: 'newOwner', type: 'string' }] },
        { name: 'GetAllAssets', kind: 'evaluate', params: [] },
      ],
    },
  ],
};
const diagnostics: Diagnostic[] = [
  { file: contractFile, line: 12, column: 15, severity: 'warning', message: "'unused' is declared but its value is never read.", code: '6133' },
];
const now = (): string => new Date().toISOString();
const logHistory: LogLine[] = [
  { source: 'sandbox', time: now(), text: 'Sandbox ready: peer0.org1, orderer, channel mychannel' },
  { source: 'orderer', time: now(), text: '2024-05-01 10:00:01.120 UTC [orderer.common.cluster] Created and started new channel mychannel' },
  { source: 'peer', time: now(), text: '\u001b[34m2024-05-01 10:00:02.001 UTC [nodeCmd] serve -> INFO\u001b[0m Started peer with ID=[peer0.org1], network ID=[dev]' },
  { source: 'peer', time: now(), text: '2024-05-01 10:00:03.450 UTC [chaincode] LaunchConfig -> INFO Chaincode asset-demo:1.0 registered (dev mode)' },
  { source: 'chaincode', time: now(), text: 'Debugger listening on ws://127.0.0.1:9229/5f1c…' },
  { source: 'chaincode', time: now(), text: '[AssetTransferContract] InitLedger: 6 assets written' },
];
const breakpoints = new Map<string, SourceBreakpoint[]>();
let pendingInvoke: (() => void) | undefined;

const wss = new WebSocketServer({ port, path: '/ws' });
console.log(`fake Studio server (dev aid) on ws://127.0.0.1:${port}/ws`);

wss.on('connection', (socket: WebSocket) => {
  const notify = <N extends NotificationName>(method: N, params: NotificationMap[N]): void => {
    socket.send(JSON.stringify({ method, params }));
  };
  const ticker = setInterval(() => {
    notify('log', { workspace, lines: [{ source: 'peer', time: now(), text: `[gossip.discovery] periodicalSendAlive -> Sending alive message to 0 peers` }] });
  }, 3000);
  socket.on('close', () => clearInterval(ticker));

  socket.on('message', (data: Buffer) => {
    const { id, method, params } = JSON.parse(data.toString()) as { id: number; method: string; params: Record<string, unknown> };
    const reply = (result: unknown): void => socket.send(JSON.stringify({ id, result }));
    const fail = (code: string, message: string): void => socket.send(JSON.stringify({ id, error: { code, message } }));
    const frame: StackFrame = { id: 1, name: 'AssetTransferContract.CreateAsset', source: { name: contractFile.split('/').pop() ?? '', path: contractFile }, line: 0, column: 9 };

    switch (method) {
      case 'sample/list':
        return reply({ samples: [{ id: 'asset-transfer-ts', title: 'Asset transfer', language: 'typescript' }, { id: 'asset-transfer-js', title: 'Asset transfer', language: 'javascript' }] });
      case 'workspace/list':
        return reply({ workspaces: [{ id: workspace, language: 'typescript', modified: now() }] });
      case 'workspace/open': {
        const entries: FileEntry[] = [...files.keys()].map((path) => ({ path, kind: 'file' as const }));
        return reply({ workspace, files: entries, status, diagnostics });
      }
      case 'file/read': {
        const content = files.get(String(params.path));
        return content === undefined ? fail('not_found', `No file ${String(params.path)}`) : reply({ path: params.path, content, version: 'v1' });
      }
      case 'file/write':
        files.set(String(params.path), String(params.content));
        return reply({ path: params.path, version: `v${Date.now()}` });
      case 'logs/history':
        return reply({ lines: logHistory });
      case 'chaincode/metadata':
        return reply(metadata);
      case 'run':
        return reply({ ok: true, diagnostics, status, metadata });
      case 'setBreakpoints': {
        const path = String((params.source as { path: string }).path);
        const list = params.breakpoints as SourceBreakpoint[];
        breakpoints.set(path, list);
        return reply({ breakpoints: list.map((b, i) => ({ id: i + 1, verified: true, line: b.line })) });
      }
      case 'setExceptionBreakpoints':
        return reply({});
      case 'invoke': {
        const args = params.args as string[];
        const answer = (): void =>
          reply({
            mode: params.mode,
            result: params.fn === 'ReadAsset' ? JSON.stringify({ ID: args[0], Color: 'blue', Size: 5, Owner: 'Tomoko', AppraisedValue: 300 }) : '',
            txId: 'a3f9c2e1b4d5' + Math.random().toString(16).slice(2, 54),
            ...(params.mode === 'submit' ? { blockNumber: '7', validationCode: 'VALID' } : {}),
            events: params.fn === 'CreateAsset' ? [{ name: 'AssetCreated', payload: JSON.stringify({ ID: args[0] }), txId: 'x', blockNumber: '7' }] : [],
            durationMs: 412,
          });
        const bp = breakpoints.get(contractFile)?.[0];
        if (!bp) return answer();
        pendingInvoke = answer;
        frame.line = bp.line;
        notify('stopped', { workspace, reason: 'breakpoint', threadId: 1, txId: 'a3f9c2e1b4d5e6f7a8b9c0d1e2f3a4b5', frame });
        return undefined;
      }
      case 'stackTrace': {
        const line = breakpoints.get(contractFile)?.[0]?.line ?? 1;
        const frames: StackFrame[] = [
          { ...frame, line },
          { id: 2, name: 'ChaincodeFromContract.invokeFunctionality', source: { name: 'chaincodefromcontract.js', presentationHint: 'deemphasize' }, line: 591, column: 41 },
          { id: 3, name: 'async ChaincodeFromContract.Invoke', source: { name: 'chaincodefromcontract.js', presentationHint: 'deemphasize' }, line: 470, column: 16 },
          { id: 4, name: 'async handleMessage', source: { name: 'handler.js', presentationHint: 'deemphasize' }, line: 642, column: 22 },
        ];
        return reply({ stackFrames: frames, totalFrames: frames.length });
      }
      case 'scopes':
        return reply({ scopes: [{ name: 'Local', variablesReference: 10, expensive: false }, { name: 'Closure', variablesReference: 11, expensive: false }, { name: 'Global', variablesReference: 12, expensive: true }] });
      case 'variables':
        return reply({
          variables:
            params.variablesReference === 10
              ? [
                  { name: 'this', value: 'AssetTransferContract', variablesReference: 20 },
                  { name: 'ctx', value: 'Context {stub: ChaincodeStub, clientIdentity: ClientIdentity, …}', variablesReference: 21 },
                  { name: 'id', value: "'asset7'", type: 'string', variablesReference: 0 },
                  { name: 'color', value: "'red'", type: 'string', variablesReference: 0 },
                  { name: 'size', value: '5', type: 'number', variablesReference: 0 },
                  { name: 'exists', value: 'false', type: 'boolean', variablesReference: 0 },
                ]
              : [{ name: 'stub', value: 'ChaincodeStub', variablesReference: 0 }],
        });
      case 'evaluate':
        return reply({ result: String(params.expression) === 'id' ? "'asset7'" : `'${String(params.expression)}'`, variablesReference: 0 });
      case 'continue':
      case 'next':
      case 'stepIn':
      case 'stepOut':
        reply(method === 'continue' ? { allThreadsContinued: true } : {});
        notify('continued', { workspace, threadId: 1, allThreadsContinued: true });
        pendingInvoke?.();
        pendingInvoke = undefined;
        return undefined;
      default:
        return fail('unknown_method', `The fake server does not answer '${method}'`);
    }
  });
});
