/**
 * The real server as `npm start` runs it (`server/main.ts` in its own
 * process), for figures that include what a fresh process pays: loading the
 * server and the compiler, reattaching, the warm pool. One data dir and
 * instance for several starts, so the second start finds the first one's
 * sandboxes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Reply } from '../protocol/messages.ts';
import { projectRoot } from '../server/config.ts';
import { releaseDisksUnder } from '../server/sandbox/ledgerDisk.ts';
import { TestClient } from '../tests/kit/studioHarness.ts';

export interface BenchServer {
  readonly dataDir: string;
  readonly instance: string;
  /** Starts the server; resolves when it prints its address, with the time that took. */
  start(env?: Record<string, string>): Promise<{ startMs: number }>;
  /** A connected client (made after each start). */
  client(): TestClient;
  /** Calls `method` and returns its result, or throws the error reply. */
  call<T>(method: string, params: unknown, timeoutMs?: number): Promise<T>;
  /** Resolves at the first line of the server's output matching `pattern` (printed after `since`). */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Stops the server with SIGTERM (sandboxes keep running). */
  stop(): Promise<void>;
  /** Stops the server, removes every sandbox of the instance and the data dir. */
  dispose(): Promise<void>;
}

export async function createBenchServer(prefix: string): Promise<BenchServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  const instance = `${prefix}-${randomBytes(3).toString('hex')}`;
  const token = randomBytes(24).toString('hex');
  let child: ChildProcess | undefined;
  let client: TestClient | undefined;
  let output = '';
  let lineWaiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];

  const onLine = (line: string) => {
    const hit = lineWaiters.filter((w) => w.pattern.test(line));
    lineWaiters = lineWaiters.filter((w) => !hit.includes(w));
    for (const w of hit) w.resolve(line);
  };

  const stop = async () => {
    await client?.close();
    client = undefined;
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise((resolve) => {
      proc.once('exit', resolve);
      proc.kill('SIGTERM');
    });
  };

  const server: BenchServer = {
    dataDir,
    instance,
    async start(env = {}) {
      const started = performance.now();
      const proc = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'server', 'main.ts')], {
        cwd: projectRoot,
        env: { ...process.env, STUDIO_DATA_DIR: dataDir, STUDIO_PORT: '0', STUDIO_HOST: '127.0.0.1', STUDIO_TOKEN: token, STUDIO_INSTANCE: instance, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      let pending = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop() ?? '';
        lines.forEach(onLine);
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 120_000);
        lineWaiters.push({
          pattern: /http:\/\/127\.0\.0\.1:\d+\/\?token=/,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(/(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1] ?? '');
          },
        });
        proc.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
      });
      const startMs = Math.round(performance.now() - started);
      client = await TestClient.open(`${url.replace('http', 'ws')}/ws?token=${token}`, { origin: url });
      return { startMs };
    },
    client() {
      if (!client) throw new Error('the bench server is not running');
      return client;
    },
    async call<T>(method: string, params: unknown, timeoutMs = 300_000) {
      const reply: Reply = await server.client().request(method, params, { timeoutMs });
      if ('error' in reply) throw new Error(`${method}: ${reply.error.code}: ${reply.error.message}`);
      return reply.result as T;
    },
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output.slice(-4000)}`)), timeoutMs);
        lineWaiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    stop,
    async dispose() {
      await stop();
      // A server that is not running cannot destroy its sandboxes: start one more, without a pool, to do it.
      await server.start({ STUDIO_WARM_SANDBOXES: '0' }).catch(() => undefined);
      const workspaces = await server.call<{ workspaces: { id: string }[] }>('workspace/list', {}).catch(() => ({ workspaces: [] }));
      for (const w of workspaces.workspaces) await server.call('workspace/delete', { workspace: w.id }).catch(() => undefined);
      await stop();
      await releaseDisksUnder(dataDir);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
