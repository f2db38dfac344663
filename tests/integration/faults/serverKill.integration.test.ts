/**
 * The server process killed with SIGKILL in the middle of a save and in the
 * middle of a transaction, then started again on the same data: no saved
 * file is lost or torn, the unfinished write's temporary file and the other
 * leftovers of the killed run are swept, the new server reattaches to the
 * sandbox that kept running, the ledger is intact, and no container is orphaned.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Reply, SandboxStatus } from '../../../protocol/messages.ts';
import { leftoverDeployDirMinAgeMs, projectRoot } from '../../../server/config.ts';
import { TestClient } from '../../kit/studioHarness.ts';
import { createTestSandboxes, probeChaincodeDir, type TestSandboxes } from '../../kit/sandboxTestKit.ts';
import { tempFilePrefix } from '../../../server/workspace/atomicWrite.ts';

const token = 'fault-main-token-0123456789abcdef';
let kit: TestSandboxes;
let server: ChildProcess | undefined;

interface Started {
  url: string;
  client: TestClient;
}

/** Starts `server/main.ts` as `npm start` does and connects a client. */
async function startServer(): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'server', 'main.ts')], {
    cwd: projectRoot,
    env: { ...process.env, STUDIO_DATA_DIR: kit.dataDir, STUDIO_PORT: '0', STUDIO_HOST: '127.0.0.1', STUDIO_TOKEN: token, STUDIO_INSTANCE: kit.instance },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${out}`)));
  });
  const client = await TestClient.open(`${url.replace('http', 'ws')}/ws?token=${token}`, { origin: url });
  return { url, client };
}

/** The store's temporary files under `dir`, hidden ones included, straight from the disk. */
async function tempFilesOnDisk(dir: string): Promise<string[]> {
  const all = await fs.readdir(dir, { recursive: true });
  return all.filter((rel) => path.basename(rel).startsWith(tempFilePrefix));
}

/**
 * Kills the server with SIGKILL at a moment its workspace holds a temporary file, i.e. while an
 * atomic write is in flight. The process is frozen (SIGSTOP) before the check, so what the check
 * sees is what SIGKILL leaves; if the write finished in between, it is thawed and we try again.
 */
async function killMidWrite(workspaceDir: string): Promise<string[]> {
  const child = server;
  if (!child?.pid) throw new Error('no server to kill');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await tempFilesOnDisk(workspaceDir)).length === 0) continue;
    child.kill('SIGSTOP');
    // A system call already inside the kernel (a rename, an fsync) still completes; let it.
    await new Promise((r) => setTimeout(r, 50));
    const inFlight = await tempFilesOnDisk(workspaceDir);
    if (inFlight.length > 0) {
      await killServer();
      return inFlight;
    }
    child.kill('SIGCONT');
  }
  throw new Error('no write was ever seen in flight');
}

function killServer(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function ok<T>(reply: Promise<Reply>): Promise<T> {
  const r = await reply;
  if ('error' in r) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}

/** Starting a sandbox or a transaction on a busy machine may take longer than a file operation. */
const slow = { timeoutMs: 120_000 };

const invoke = (c: TestClient, mode: 'submit' | 'evaluate', fn: string, ...args: string[]) =>
  ok<{ result: string }>(c.request('invoke', { workspace: 'survivor', mode, contract: '', fn, args }, slow));

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-kill');
  await fs.cp(probeChaincodeDir, path.join(kit.dataDir, 'workspaces', 'survivor'), { recursive: true });
});

afterAll(async () => {
  await killServer();
  await kit.sandboxes.destroy('survivor').catch(() => undefined);
  await kit.cleanup();
  expect(await kit.containers()).toEqual([]);
});

it('survives kill -9 mid-save and mid-transaction: files whole, leftovers swept, sandbox reattached, ledger intact, nothing orphaned', async () => {
  const workspaceDir = path.join(kit.dataDir, 'workspaces', 'survivor');
  // As an older version left it: readable by everyone. The server tightens it at start.
  await fs.chmod(kit.dataDir, 0o755);
  let { client } = await startServer();
  expect((await fs.stat(kit.dataDir)).mode & 0o777).toBe(0o700);
  expect((await fs.stat(path.join(kit.dataDir, 'workspaces'))).mode & 0o777).toBe(0o700);
  await ok(client.request('workspace/open', { workspace: 'survivor' }, slow));
  const run = await ok<{ ok: boolean }>(client.request('run', { workspace: 'survivor' }, slow));
  expect(run.ok).toBe(true);
  expect((await invoke(client, 'submit', 'Put', 'before', 'committed')).result).toBe('committed');

  // Mid-save: a steady stream of whole-file writes, then SIGKILL while one is provably in flight.
  const versions = ['A', 'B', 'C', 'D'].map((ch) => ch.repeat(900 * 1024));
  await ok(client.request('file/write', { workspace: 'survivor', path: 'data.txt', content: versions[0] }, slow));
  for (let i = 0; i < 60; i++) void client.request('file/write', { workspace: 'survivor', path: 'data.txt', content: versions[i % versions.length] }).catch(() => undefined);
  // Mid-transaction: a submit that is on its way to the peer.
  void client.request('invoke', { workspace: 'survivor', mode: 'submit', contract: '', fn: 'Put', args: ['during', 'maybe'] }).catch(() => undefined);
  const leftBehind = await killMidWrite(workspaceDir);
  await client.close();

  // The killed write left its temporary file; the file it was replacing is one whole version.
  expect(await tempFilesOnDisk(workspaceDir)).toEqual(leftBehind);
  const onDisk = await fs.readFile(path.join(workspaceDir, 'data.txt'), 'utf8');
  expect(versions).toContain(onDisk);

  // More of what a killed run leaves: a half-deleted workspace and an old deploy folder with a key.
  const trash = path.join(kit.dataDir, 'workspaces', '.trash-gone-0a1b2c3d');
  await fs.mkdir(path.join(trash, 'src'), { recursive: true });
  await fs.writeFile(path.join(trash, 'src', 'index.js'), 'deleted');
  const deployDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-deploy-'));
  await fs.mkdir(path.join(deployDir, 'msp', 'keystore'), { recursive: true });
  await fs.writeFile(path.join(deployDir, 'msp', 'keystore', 'key_sk'), 'PRIVATE KEY');
  const old = new Date(Date.now() - leftoverDeployDirMinAgeMs - 60_000);
  await fs.utimes(deployDir, old, old);

  ({ client } = await startServer());
  expect(await tempFilesOnDisk(workspaceDir)).toEqual([]);
  await expect(fs.access(trash)).rejects.toThrow();
  await expect(fs.access(deployDir)).rejects.toThrow();
  const opened = await ok<{ status: SandboxStatus; files: { path: string }[] }>(client.request('workspace/open', { workspace: 'survivor' }, slow));
  expect(opened.status.phase).toBe('ready');
  expect(opened.status.chaincode).toBe('running');
  const read = await ok<{ content: string }>(client.request('file/read', { workspace: 'survivor', path: 'data.txt' }));
  expect(read.content).toBe(onDisk);

  // The sandbox kept running and is used as it is: same container, the ledger as before.
  expect((await invoke(client, 'evaluate', 'Get', 'before')).result).toBe('committed');
  expect(['', 'maybe']).toContain((await invoke(client, 'evaluate', 'Get', 'during')).result);
  expect((await invoke(client, 'submit', 'Put', 'after', 'yes')).result).toBe('yes');
  expect(await kit.containers()).toEqual([`${kit.instance}-survivor`]);
  await client.close();
});
