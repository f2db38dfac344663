/**
 * The real Chaincode Studio server as a child process, for the browser tests:
 * its own port, data dir, token and sandbox name prefix, so the sandboxes it
 * starts are its own and are destroyed with it.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot, serverHealthTimeoutMs } from './config.ts';
import { releaseDisksUnder } from '../server/sandbox/ledgerDisk.ts';

/** One running server and the handles a test needs to reach, kill and restart it. */
export interface StudioServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly dataDir: string;
  /** The STUDIO_INSTANCE: prefix of this server's container, network and volume names. */
  readonly instance: string;
  /** The IDE's address with the token, optionally opening a workspace. */
  pageUrl(workspace?: string): string;
  /** Everything the server printed, for failure messages. */
  output(): string;
  /** SIGKILL, no clean shutdown: what a crash or an OOM kill does. */
  kill(): Promise<void>;
  /** Starts the server again on the same port, data dir, token and instance. */
  start(): Promise<void>;
  /** Kills the server, destroys every sandbox of its instance and removes the data dir. */
  dispose(): Promise<void>;
}

/** A TCP port nobody listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + serverHealthTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The Studio server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`The Studio server did not answer /healthz within ${serverHealthTimeoutMs} ms:\n${output()}`);
}

/** Removes every container, network and volume whose name starts with `<instance>-`. */
export function destroyInstanceSandboxes(instance: string): void {
  const docker = (args: string[]): string => spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim();
  const ofInstance = (names: string): string[] => names.split('\n').filter((n) => n.startsWith(`${instance}-`));
  const containers = ofInstance(docker(['ps', '-a', '--filter', `name=^${instance}-`, '--format', '{{.Names}}']));
  if (containers.length > 0) docker(['rm', '-f', '-v', ...containers]);
  const networks = ofInstance(docker(['network', 'ls', '--filter', `name=^${instance}-`, '--format', '{{.Name}}']));
  if (networks.length > 0) docker(['network', 'rm', ...networks]);
  const volumes = ofInstance(docker(['volume', 'ls', '--filter', `name=${instance}-`, '--format', '{{.Name}}']));
  if (volumes.length > 0) docker(['volume', 'rm', '-f', ...volumes]);
}

/**
 * Starts a fresh server with its own port, temp data dir, token and instance, and waits for /healthz.
 * `env` adds settings (STUDIO_*) to its environment.
 */
export async function startStudioServer(options: { env?: Readonly<Record<string, string>> } = {}): Promise<StudioServer> {
  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const instance = `e2e${randomBytes(3).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'studio-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let log = '';

  const start = async (): Promise<void> => {
    log += `\n--- start ${new Date().toISOString()} ---\n`;
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'server', 'main.ts')], {
      cwd: projectRoot,
      env: {
        ...process.env,
        // One server serves every spec file of a worker, and each leaves its sandboxes running: the default
        // per-user cap (3) would refuse later specs' Runs. A spec about the cap sets its own.
        STUDIO_MAX_SANDBOXES: '16',
        ...options.env,
        STUDIO_HOST: '127.0.0.1',
        STUDIO_PORT: String(port),
        STUDIO_DATA_DIR: dataDir,
        STUDIO_TOKEN: token,
        STUDIO_INSTANCE: instance,
        // Its own npm dependency cache, so a test sees a workspace before and after its first install.
        STUDIO_DEPENDENCY_CACHE_DIR: path.join(dataDir, 'dependency-cache'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child = proc;
    await waitForHealth(url, proc, () => log);
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url,
    port,
    token,
    dataDir,
    instance,
    pageUrl: (workspace) => `${url}/?token=${token}${workspace ? `&workspace=${encodeURIComponent(workspace)}` : ''}`,
    output: () => log,
    kill,
    start,
    async dispose() {
      await kill();
      destroyInstanceSandboxes(instance);
      await releaseDisksUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
