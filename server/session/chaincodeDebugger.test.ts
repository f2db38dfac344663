import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Notification } from '../../protocol/messages.ts';
import { ErrorCode } from '../errors.ts';
import type { SandboxHandle } from '../sandbox/sandboxDriver.ts';
import { createChaincodeDebugger, type AttachWaits } from './chaincodeDebugger.ts';
import { createSessionReporter } from './sessionReporter.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function detachedDebugger(workspaceDir?: string, attachWaits?: AttachWaits) {
  const dir = workspaceDir ?? (await mkdtemp(path.join(tmpdir(), 'studio-cc-debugger-')));
  dirs.push(dir);
  const published: Notification[] = [];
  const reporter = createSessionReporter({ workspace: 'w', publish: (n) => published.push(n) });
  return { debug: createChaincodeDebugger({ workspace: 'w', workspaceDir: dir, reporter, ...(attachWaits ? { attachWaits } : {}) }), published, dir };
}

/** An inspector behind an agent: 503 (not listening yet) until `openAfterMs`, then a CDP peer that answers every request. */
async function slowInspector(openAfterMs: number) {
  const { WebSocketServer } = await import('ws');
  const http = await import('node:http');
  const opensAt = Date.now() + openAfterMs;
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (Date.now() < opensAt) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      ws.on('message', (data) => {
        const { id } = JSON.parse(String(data)) as { id: number };
        ws.send(JSON.stringify({ id, result: {} }));
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

it('keeps breakpoints set before Run, unverified, with ids that survive an edit of the same line', async () => {
  const { debug } = await detachedDebugger();
  const first = await debug.setBreakpoints('src/contract.ts', [{ line: 10 }, { line: 20 }]);
  expect(first.breakpoints).toEqual([
    { id: 1, verified: false, line: 10, message: 'Applied when the chaincode runs' },
    { id: 2, verified: false, line: 20, message: 'Applied when the chaincode runs' },
  ]);
  const edited = await debug.setBreakpoints('src/contract.ts', [{ line: 20, condition: 'id === "a"' }]);
  expect(edited.breakpoints.map((bp) => bp.id)).toEqual([2]);
  expect(debug.breakpoints.get('src/contract.ts')).toEqual([{ id: 2, line: 20, condition: 'id === "a"' }]);
});

it('keeps exception filters set before Run', async () => {
  const { debug } = await detachedDebugger();
  expect(await debug.setExceptionBreakpoints(['uncaught', 'uncaught'])).toEqual({});
  expect(debug.breakpoints.exceptionFilters).toEqual(['uncaught']);
});

it('says how to attach when a debugger request comes with no process attached, and detaching then is quiet', async () => {
  const { debug, published } = await detachedDebugger();
  expect(() => debug.session()).toThrow(expect.objectContaining({ code: ErrorCode.Debugger, message: expect.stringMatching(/press Run/) }));
  expect(debug.isPaused).toBe(false);
  expect(debug.release()).toBeUndefined();
  await debug.detach();
  expect(published).toEqual([]);
});

it('keeps the breakpoints with the workspace, so a new server (or a fresh browser) gets the same ones', async () => {
  const { debug, dir } = await detachedDebugger();
  await debug.setBreakpoints('src/contract.ts', [{ line: 10 }, { line: 20, enabled: false, condition: 'x' }]);
  await debug.setExceptionBreakpoints(['all']);
  expect(JSON.parse(await readFile(path.join(dir, '.studio', 'breakpoints.json'), 'utf8'))).toMatchObject({ version: 1 });

  const { debug: again } = await detachedDebugger(dir);
  expect(await again.state()).toEqual({
    attached: false,
    breakpoints: [{ path: 'src/contract.ts', breakpoints: [{ line: 10 }, { line: 20, enabled: false, condition: 'x' }] }],
    exceptionFilters: ['all'],
  });
});

it('starts a workspace without saved breakpoints with none, stopping on uncaught exceptions', async () => {
  const { debug } = await detachedDebugger();
  expect(await debug.state()).toEqual({ attached: false, breakpoints: [], exceptionFilters: ['uncaught'] });
});

it('tells every tab when breakpoints or filters change, and moves them with a renamed file', async () => {
  const { debug, published } = await detachedDebugger();
  await debug.setBreakpoints('src/a.ts', [{ line: 3 }]);
  await debug.setExceptionBreakpoints([]);
  await debug.pathMoved('src', 'lib');
  await debug.pathDeleted('lib/a.ts');
  expect(published.map((n) => n.params)).toEqual([
    { workspace: 'w', source: { path: 'src/a.ts' }, breakpoints: [{ line: 3 }] },
    { workspace: 'w', filters: [] },
    { workspace: 'w', source: { path: 'src/a.ts' }, breakpoints: [] },
    { workspace: 'w', source: { path: 'lib/a.ts' }, breakpoints: [{ line: 3 }] },
    { workspace: 'w', source: { path: 'lib/a.ts' }, breakpoints: [] },
  ]);
  expect((await debug.state()).breakpoints).toEqual([]);
});

it('attaches again when the inspector connection is dropped while the session starts (a port-forward that accepted first)', async () => {
  const { WebSocketServer } = await import('ws');
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  let connections = 0;
  server.on('connection', (socket) => {
    connections++;
    // The first connection is accepted, then dropped before anything answers.
    if (connections === 1) return socket.close();
    socket.on('message', (data) => {
      const { id } = JSON.parse(String(data)) as { id: number };
      socket.send(JSON.stringify({ id, result: {} }));
    });
  });
  const { port } = server.address() as { port: number };
  const { debug } = await detachedDebugger();
  const buildDir = await mkdtemp(path.join(tmpdir(), 'studio-cc-build-'));
  dirs.push(buildDir);
  const handle = {
    buildDir,
    agent: { status: async () => ({ orgs: [] }), inspector: () => ({ url: `ws://127.0.0.1:${port}/`, headers: {} }) },
  } as unknown as SandboxHandle;
  try {
    await debug.attach(handle);
    expect(connections).toBe(2);
    expect(() => debug.session()).not.toThrow();
    expect((await debug.state()).attached).toBe(true);
  } finally {
    await debug.detach();
    await new Promise((resolve) => server.close(resolve));
  }
});

it('keeps trying past the usual wait while the agent says the process runs (a slow pod), and gives up once it has ended', async () => {
  const waits: AttachWaits = { usualMs: 200, longestMs: 5000, statusEveryMs: 50 };
  const buildDir = await mkdtemp(path.join(tmpdir(), 'studio-cc-build-'));
  dirs.push(buildDir);
  const handleFor = (url: string, phase: string) =>
    ({ buildDir, agent: { status: async () => ({ orgs: [], chaincode: { phase } }), inspector: () => ({ url, headers: {} }) } }) as unknown as SandboxHandle;

  const slow = await slowInspector(800);
  const running = await detachedDebugger(undefined, waits);
  try {
    await running.debug.attach(handleFor(slow.url, 'running'));
    expect((await running.debug.state()).attached).toBe(true);
  } finally {
    await running.debug.detach();
    await slow.close();
  }

  const never = await slowInspector(60_000);
  const ended = await detachedDebugger(undefined, waits);
  const started = Date.now();
  try {
    await expect(ended.debug.attach(handleFor(never.url, 'crashed'))).rejects.toMatchObject({ code: ErrorCode.Debugger, message: expect.stringContaining('HTTP 503') });
    // It stopped at the first status check past the usual wait, not at the longest one.
    expect(Date.now() - started).toBeLessThan(2000);
  } finally {
    await never.close();
  }
});
