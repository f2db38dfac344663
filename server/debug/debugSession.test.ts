import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationMap, Variable } from '../../protocol/messages.ts';
import { debugConsoleMaxChars, debugInspectorMaxMessageBytes } from '../config.ts';
import { StudioError } from '../errors.ts';
import { tooLargeMessage } from './cdpConnection.ts';
import { BreakpointStore, createDebugSession, type DebugNotification, type DebugSession } from './debugSession.ts';

const helperSource = [
  'export function label(id: string, size: number): string {',
  '  const text = `${id}:${size}`;',
  '  return text.toUpperCase();',
  '}',
];

const mainSource = [
  "import { label } from './helper';",
  '',
  'export function create(id: string, size: number): string {',
  "  const asset = { id, size, owner: 'alice' };",
  "  const data = Buffer.from('hello');",
  '  // nothing runs on this line',
  '  const summary = label(id, size);',
  '  const total = size * 2;',
  '  return `${summary} ${total} ${asset.owner} ${data.length}`;',
  '}',
  '',
  'function fail(message: string): never {',
  '  throw new Error(message);',
  '}',
  '',
  'function invoke(ctx: { stub: { getTxID(): string } }, id: string): string {',
  '  return create(id, 1);',
  '}',
  '',
  'function invokeFailing(ctx: { stub: { getTxID(): string } }, id: string): string {',
  '  return fail(`no asset ${id}`);',
  '}',
  '',
  "const mode = process.argv[2] ?? 'create';",
  "if (mode === 'create') {",
  "  console.log('result', create('asset1', 5));",
  "} else if (mode === 'loop') {",
  '  for (let i = 0; i < 25; i++) create(`a${i}`, i);',
  "  console.log('loop done');",
  "} else if (mode === 'throw') {",
  "  try { fail('boom'); } catch (e) { console.log('caught', (e as Error).message); }",
  "} else if (mode === 'tx') {",
  "  console.log('tx', invoke({ stub: { txId: 'tx-123', getTxID() { return this.txId; } } }, 'x'));",
  "} else if (mode === 'tx-method') {",
  "  console.log('tx', invoke({ stub: { getTxID: () => 'tx-456' } }, 'y'));",
  "} else if (mode === 'tx-throw') {",
  "  try { invokeFailing({ stub: { getTxID: () => 'tx-789' } }, 'z'); } catch (e) { console.log('caught', (e as Error).message); }",
  '}',
];

/** 1-based line of the first line of `source` that contains `text`. */
function lineOf(source: string[], text: string): number {
  const index = source.findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`no line contains ${text}`);
  return index + 1;
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'studio-debug-'));
  await mkdir(path.join(root, 'src'));
  await writeFile(path.join(root, 'src', 'main.ts'), mainSource.join('\n'));
  await writeFile(path.join(root, 'src', 'helper.ts'), helperSource.join('\n'));
  const program = ts.createProgram([path.join(root, 'src', 'main.ts')], {
    outDir: path.join(root, 'dist'),
    rootDir: path.join(root, 'src'),
    sourceMap: true,
    inlineSources: true,
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    types: [],
  });
  const emitted = program.emit();
  if (emitted.emitSkipped) throw new Error('fixture did not compile');
  // Type-checking the fixture is slow on a busy 2-core machine.
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Debuggee {
  child: ChildProcess;
  url: string;
  stdout: () => string;
}

const children: ChildProcess[] = [];
const sessions: DebugSession[] = [];
const servers: WebSocketServer[] = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close().catch(() => undefined)));
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function spawnDebuggee(mode: string): Promise<Debuggee> {
  const child = spawn(process.execPath, ['--inspect-brk=127.0.0.1:0', path.join(root, 'dist', 'main.js'), mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /ws:\/\/\S+/.exec(err);
      if (match) resolve(match[0]);
    });
    child.once('exit', () => reject(new Error(`debuggee exited: ${err}`)));
  });
  return { child, url, stdout: () => out };
}

/** A WebSocket relay to the inspector that wants a bearer token, like the sandbox's inspector proxy. */
async function startTokenProxy(target: string, token: string): Promise<string> {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (info: { req: { headers: Record<string, string | string[] | undefined> } }) =>
      info.req.headers.authorization === `Bearer ${token}`,
  });
  servers.push(server);
  server.on('connection', (client) => {
    const upstream = new WebSocket(target);
    const queued: string[] = [];
    upstream.on('open', () => queued.splice(0).forEach((m) => upstream.send(m)));
    upstream.on('message', (data) => client.send(data.toString()));
    upstream.on('close', () => client.close());
    client.on('message', (data) => (upstream.readyState === WebSocket.OPEN ? upstream.send(data.toString()) : queued.push(data.toString())));
    client.on('close', () => upstream.close());
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected address');
  return `ws://127.0.0.1:${address.port}/inspector`;
}

/** The events a session emitted, and a way to wait for the next matching one. */
class EventLog {
  readonly all: DebugNotification[] = [];
  #waiters: { test: (n: DebugNotification) => boolean; resolve: (n: DebugNotification) => void }[] = [];
  #seen = 0;

  push = (notification: DebugNotification): void => {
    this.all.push(notification);
    const waiter = this.#waiters.find((w) => w.test(notification));
    if (waiter) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      this.#seen = this.all.length;
      waiter.resolve(notification);
    }
  };

  /** Waits for the next `method` event emitted after the last one waited for. */
  next<N extends DebugNotification['method']>(method: N, timeoutMs = 10_000): Promise<NotificationMap[N]> {
    const pending = this.all.slice(this.#seen).find((n) => n.method === method);
    if (pending) {
      this.#seen = this.all.indexOf(pending) + 1;
      return Promise.resolve(pending.params as NotificationMap[N]);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} event within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        test: (n) => n.method === method,
        resolve: (n) => {
          clearTimeout(timer);
          resolve(n.params as NotificationMap[N]);
        },
      });
    });
  }
}

async function attach(debuggee: Debuggee, store = new BreakpointStore()): Promise<{ session: DebugSession; events: EventLog }> {
  const events = new EventLog();
  const session = await createDebugSession({
    inspectorUrl: debuggee.url,
    scriptRoot: root,
    buildDir: root,
    workspace: 'ws1',
    breakpoints: store,
    emit: events.push,
  });
  sessions.push(session);
  return { session, events };
}

async function waitForOutput(debuggee: Debuggee, text: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!debuggee.stdout().includes(text)) {
    if (Date.now() > deadline) throw new Error(`stdout never contained ${text}; it was: ${debuggee.stdout()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function localVariables(session: DebugSession, frameId: number): Promise<Map<string, Variable>> {
  const { scopes } = await session.scopes(frameId);
  const local = scopes.find((s) => s.name === 'Local');
  if (!local) throw new Error(`no Local scope in ${scopes.map((s) => s.name).join(', ')}`);
  const { variables } = await session.variables(local.variablesReference);
  return new Map(variables.map((v) => [v.name, v]));
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return `n=${sorted.length} median=${at(0.5).toFixed(1)}ms p95=${at(0.95).toFixed(1)}ms max=${(sorted.at(-1) ?? NaN).toFixed(1)}ms`;
}

describe('debug session on a node process', () => {
  it('stops at a .ts breakpoint set before start, shows values, steps and finishes', async () => {
    const debuggee = await spawnDebuggee('create');
    const { session, events } = await attach(debuggee);
    const summaryLine = lineOf(mainSource, 'const summary');
    const set = await session.setBreakpoints('src/main.ts', [{ line: summaryLine }]);
    expect(set.breakpoints).toEqual([{ id: expect.any(Number), verified: false, line: summaryLine }]);
    await session.start();

    const stopped = await events.next('stopped');
    expect(stopped).toMatchObject({ workspace: 'ws1', reason: 'breakpoint', threadId: 1, hitBreakpointIds: [set.breakpoints[0]?.id] });
    expect(stopped.frame).toMatchObject({ name: 'create', source: { path: 'src/main.ts', name: 'main.ts' }, line: summaryLine });
    const changed = events.all.find((n) => n.method === 'breakpoint');
    expect(changed?.params).toMatchObject({ reason: 'changed', breakpoint: { path: 'src/main.ts', verified: true, line: summaryLine } });

    const { stackFrames } = await session.stackTrace();
    const top = stackFrames[0];
    if (!top) throw new Error('no frames');
    expect(top).toMatchObject({ source: { path: 'src/main.ts' }, line: summaryLine });
    const internal = stackFrames.find((f) => f.source?.name.startsWith('node:'));
    expect(internal).toMatchObject({ presentationHint: 'subtle', source: { presentationHint: 'deemphasize' } });

    const locals = await localVariables(session, top.id);
    expect(locals.get('id')).toMatchObject({ value: '"asset1"', type: 'string', variablesReference: 0 });
    expect(locals.get('size')).toMatchObject({ value: '5', type: 'number' });
    expect(locals.get('data')).toMatchObject({ value: 'Buffer(5) "hello" <68 65 6c 6c 6f>', type: 'Buffer' });
    const asset = locals.get('asset');
    expect(asset?.value).toBe('{id: "asset1", size: 5, owner: "alice"}');
    expect(asset?.variablesReference).toBeGreaterThan(0);
    const children = await session.variables(asset?.variablesReference ?? 0);
    expect(children.variables.map((v) => [v.name, v.value])).toEqual([
      ['id', '"asset1"'],
      ['size', '5'],
      ['owner', '"alice"'],
    ]);
    const bytes = await session.variables(locals.get('data')?.variablesReference ?? 0);
    expect(bytes.variables.map((v) => [v.name, v.value])).toEqual([
      ['length', '5'],
      ['utf8', '"hello"'],
      ['hex', '68 65 6c 6c 6f'],
    ]);
    const scopes = await session.scopes(top.id);
    expect(scopes.scopes.find((s) => s.name === 'Global')?.expensive).toBe(true);

    expect(await session.evaluate('size * 3 + id.length', top.id, 'watch')).toMatchObject({ result: '21', type: 'number' });
    const failed = await session.evaluate('nope.x', top.id, 'repl').catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(StudioError);
    expect(failed).toMatchObject({ code: 'debugger', message: 'ReferenceError: nope is not defined' });

    await session.stepIn();
    const inHelper = await events.next('stopped');
    expect(inHelper).toMatchObject({ reason: 'step', frame: { name: 'label', source: { path: 'src/helper.ts' }, line: 2 } });
    await session.stepOut();
    const back = await events.next('stopped');
    // Nothing is left to run on the call's line, so V8 stops at the next statement.
    expect(back).toMatchObject({ reason: 'step', frame: { name: 'create', source: { path: 'src/main.ts' }, line: lineOf(mainSource, 'const total') } });
    await session.next();
    const afterNext = await events.next('stopped');
    expect(afterNext.frame).toMatchObject({ source: { path: 'src/main.ts' }, line: lineOf(mainSource, 'return `') });

    // Variable references do not outlive the pause they came from.
    await expect(session.variables(asset?.variablesReference ?? 0)).rejects.toMatchObject({ code: 'debugger' });

    expect(await session.continue()).toEqual({ allThreadsContinued: true });
    await events.next('continued');
    await waitForOutput(debuggee, 'result ASSET1:5 10 alice 5');
    expect(session.isPaused).toBe(false);
  });

  it('moves a breakpoint on a line without code to the next line, and step-in skips node internals', async () => {
    const debuggee = await spawnDebuggee('create');
    const { session, events } = await attach(debuggee);
    const comment = lineOf(mainSource, 'nothing runs');
    const dataLine = lineOf(mainSource, 'Buffer.from');
    const set = await session.setBreakpoints('src/main.ts', [{ line: comment }, { line: dataLine }]);
    expect(set.breakpoints.map((b) => b.line)).toEqual([comment + 1, dataLine]);
    await session.start();

    const first = await events.next('stopped');
    expect(first).toMatchObject({ reason: 'breakpoint', frame: { line: dataLine } });
    await session.stepIn();
    const stepped = await events.next('stopped');
    expect(stepped.frame).toMatchObject({ source: { path: 'src/main.ts' }, line: comment + 1 });
    await session.continue();
    await waitForOutput(debuggee, 'result ASSET1:5');
  });

  it('does not stop on a false condition, stops on a true one', async () => {
    const debuggee = await spawnDebuggee('loop');
    const { session, events } = await attach(debuggee);
    const line = lineOf(mainSource, 'const asset');
    await session.setBreakpoints('src/main.ts', [{ line, condition: 'size > 100' }]);
    await session.setBreakpoints('src/helper.ts', [{ line: 2, condition: "id === 'a7'" }]);
    await session.start();
    const stopped = await events.next('stopped');
    expect(stopped.frame).toMatchObject({ source: { path: 'src/helper.ts' }, line: 2 });
    const locals = await localVariables(session, stopped.frame?.id ?? 0);
    expect(locals.get('id')?.value).toBe('"a7"');
    await session.continue();
    await waitForOutput(debuggee, 'loop done');
    expect(events.all.filter((n) => n.method === 'stopped')).toHaveLength(1);
  });

  it('keeps a disabled breakpoint without stopping on it', async () => {
    const debuggee = await spawnDebuggee('create');
    const { session, events } = await attach(debuggee);
    const line = lineOf(mainSource, 'const asset');
    const reply = await session.setBreakpoints('src/main.ts', [{ line, enabled: false }]);
    expect(reply.breakpoints).toEqual([{ id: expect.any(Number), verified: false, line, message: 'Disabled' }]);
    await session.start();
    await waitForOutput(debuggee, 'result ASSET1:5');
    expect(events.all.filter((n) => n.method === 'stopped')).toEqual([]);
    expect(session.breakpoints.get('src/main.ts')).toEqual([{ id: expect.any(Number), line, enabled: false }]);
  });

  it('turns a logpoint into an output event without stopping', async () => {
    const debuggee = await spawnDebuggee('create');
    const { session, events } = await attach(debuggee);
    const line = lineOf(mainSource, 'const total');
    await session.setBreakpoints('src/main.ts', [{ line, logMessage: 'id={id} double={size * 2} asset={asset} bad={missing}' }]);
    await session.start();
    const output = await events.next('output');
    expect(output).toEqual({
      workspace: 'ws1',
      category: 'console',
      output: 'id=asset1 double=10 asset={"id":"asset1","size":5,"owner":"alice"} bad=<missing is not defined>\n',
      source: { name: 'main.ts', path: 'src/main.ts' },
      line,
    });
    await waitForOutput(debuggee, 'result ASSET1:5');
    expect(events.all.some((n) => n.method === 'stopped')).toBe(false);
  });

  it(`cuts a logpoint's output at ${debugConsoleMaxChars} characters and says how much was cut`, async () => {
    const debuggee = await spawnDebuggee('create');
    const { session, events } = await attach(debuggee);
    const line = lineOf(mainSource, 'const total');
    await session.setBreakpoints('src/main.ts', [{ line, logMessage: "{'y'.repeat(1_000_000)}" }]);
    await session.start();
    const output = await events.next('output');
    expect(output.output).toBe(`${'y'.repeat(debugConsoleMaxChars)}… [${1_000_000 - debugConsoleMaxChars} more characters not shown]\n`);
    await waitForOutput(debuggee, 'result ASSET1:5');
  });

  it('closes with a named error, rather than buffering, when the inspector sends a message over the cap', async () => {
    const debuggee = await spawnDebuggee('create');
    const { session, events } = await attach(debuggee);
    await session.setBreakpoints('src/main.ts', [{ line: lineOf(mainSource, 'const asset') }]);
    await session.start();
    await events.next('stopped');
    // A string result comes back whole, by value: one CDP message just over the cap.
    const huge = session.evaluate(`'z'.repeat(${debugInspectorMaxMessageBytes})`, undefined, 'repl');
    const message = tooLargeMessage(debugInspectorMaxMessageBytes);
    expect(message).toMatch(/over the 16 MiB limit/);
    await expect(huge).rejects.toMatchObject({ code: 'debugger', message });
    await session.closed;
    expect(await events.next('output')).toEqual({ workspace: 'ws1', category: 'stderr', output: `${message}\n` });
    expect(await events.next('continued')).toMatchObject({ workspace: 'ws1' });
    await expect(session.evaluate('1')).rejects.toMatchObject({ code: 'debugger', message });
    // Without the debugger the process runs on to its end.
    await waitForOutput(debuggee, 'result ASSET1:5');
  });

  it('stops on a thrown error when exception breakpoints are on', async () => {
    const debuggee = await spawnDebuggee('throw');
    const { session, events } = await attach(debuggee);
    await session.setExceptionBreakpoints(['all']);
    await session.start();
    const stopped = await events.next('stopped');
    expect(stopped).toMatchObject({ reason: 'exception', frame: { name: 'fail', source: { path: 'src/main.ts' }, line: lineOf(mainSource, 'throw new Error') } });
    expect(stopped.text).toContain('Error: boom');
    await session.continue();
    await waitForOutput(debuggee, 'caught boom');
  });

  it.each([
    ['tx', 'tx-123', 'tx X:1'],
    ['tx-method', 'tx-456', 'tx Y:1'],
  ])('carries the transaction id when a frame below has ctx.stub (%s)', async (mode, txId, printed) => {
    const debuggee = await spawnDebuggee(mode);
    const { session, events } = await attach(debuggee);
    await session.setBreakpoints('src/main.ts', [{ line: lineOf(mainSource, 'const asset') }]);
    await session.start();
    const stopped = await events.next('stopped');
    expect(stopped).toMatchObject({ reason: 'breakpoint', txId, frame: { name: 'create' } });
    // A tab that opens the workspace now is told the same.
    expect(session.stoppedEvent).toEqual(stopped);
    await session.continue();
    await events.next('continued');
    expect(session.stoppedEvent).toBeUndefined();
    await waitForOutput(debuggee, printed);
  });

  it('without a filter that stops on it, notes a caught exception with its transaction and its stack in the sources', async () => {
    const debuggee = await spawnDebuggee('tx-throw');
    const { session, events } = await attach(debuggee);
    await session.setExceptionBreakpoints(['uncaught']);
    await session.start();
    await waitForOutput(debuggee, 'caught no asset z');
    expect(events.all.filter((n) => n.method === 'stopped')).toEqual([]);
    const exception = session.exceptionFor('tx-789', 'no asset z');
    expect(exception).toMatchObject({ message: 'no asset z', typeName: 'Error' });
    expect(exception?.stackFrames.slice(0, 2)).toMatchObject([
      { name: 'fail', source: { path: 'src/main.ts' }, line: lineOf(mainSource, 'throw new Error') },
      { name: 'invokeFailing', source: { path: 'src/main.ts' }, line: lineOf(mainSource, 'return fail(') },
    ]);
    expect(session.exceptionFor('tx-other', 'no asset z')).toBeUndefined();
  });

  it('ends when the process dies: continued, pending and later requests fail', async () => {
    const debuggee = await spawnDebuggee('create');
    const store = new BreakpointStore();
    const { session, events } = await attach(debuggee, store);
    await session.setBreakpoints('src/main.ts', [{ line: lineOf(mainSource, 'const asset') }]);
    await session.start();
    await events.next('stopped');
    const hung = session.evaluate('(() => { for (;;) {} })()', undefined, 'repl');
    await new Promise((r) => setTimeout(r, 100));
    debuggee.child.kill('SIGKILL');
    await expect(hung).rejects.toMatchObject({ code: 'debugger', message: 'The chaincode process ended' });
    await session.closed;
    expect(await events.next('continued')).toMatchObject({ workspace: 'ws1', threadId: 1 });
    await expect(session.stackTrace()).rejects.toMatchObject({ code: 'debugger' });
    await expect(session.evaluate('1')).rejects.toMatchObject({ code: 'debugger', message: 'The chaincode process ended' });

    // The owner keeps the store: a new process gets the same breakpoints.
    const next = await spawnDebuggee('create');
    const second = await attach(next, store);
    await second.session.start();
    const again = await second.events.next('stopped');
    expect(again).toMatchObject({ reason: 'breakpoint', frame: { line: lineOf(mainSource, 'const asset') } });
  });

  it('connects through a proxy that wants an Authorization header', async () => {
    const debuggee = await spawnDebuggee('create');
    const proxied = await startTokenProxy(debuggee.url, 'secret');
    const refused = await createDebugSession({
      inspectorUrl: proxied,
      headers: { Authorization: 'Bearer wrong' },
      scriptRoot: root,
      buildDir: root,
      workspace: 'ws1',
      emit: () => undefined,
    }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(StudioError);
    expect(refused).toMatchObject({ code: 'debugger', message: 'Could not connect to the chaincode debugger: the inspector answered HTTP 401' });

    const events = new EventLog();
    const session = await createDebugSession({
      inspectorUrl: proxied,
      headers: { Authorization: 'Bearer secret' },
      scriptRoot: root,
      buildDir: root,
      workspace: 'ws1',
      emit: events.push,
    });
    sessions.push(session);
    await session.setBreakpoints('src/helper.ts', [{ line: 3 }]);
    await session.start();
    expect(await events.next('stopped')).toMatchObject({ reason: 'breakpoint', frame: { name: 'label', line: 3 } });
    await session.continue();
    await waitForOutput(debuggee, 'result ASSET1:5');
  });

  it('measures breakpoint-hit and step latency', { timeout: 60_000 }, async () => {
    const debuggee = await spawnDebuggee('loop');
    const { session, events } = await attach(debuggee);
    await session.setBreakpoints('src/main.ts', [{ line: lineOf(mainSource, 'const asset') }]);
    await session.start();
    await events.next('stopped');
    const hits: number[] = [];
    const steps: number[] = [];
    for (let i = 0; i < 20; i++) {
      let t = performance.now();
      await session.next();
      await events.next('stopped');
      steps.push(performance.now() - t);
      t = performance.now();
      await session.continue();
      await events.next('stopped');
      hits.push(performance.now() - t);
    }
    console.log(`breakpoint hit (continue → stopped): ${summary(hits)}`);
    console.log(`step (next → stopped): ${summary(steps)}`);
    expect(Math.max(...hits, ...steps)).toBeLessThan(2000);
  });
});
