/**
 * The server process killed with SIGKILL in the middle of a save and in the
 * middle of a transaction, then started again on the same data: no saved
 * file is lost or torn, the new server reattaches to the sandbox that kept
 * running, the ledger is intact, and no container is orphaned.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Reply, SandboxStatus } from '../../protocol/messages.ts';
import { projectRoot } from '../config.ts';
import { TestClient } from '../http/testHarness.ts';
import { createTestSandboxes, probeChaincodeDir, type TestSandboxes } from '../security/sandboxTestKit.ts';

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

const invoke = (c: TestClient, mode: 'submit' | 'evaluate', fn: string, ...args: string[]) =>
  ok<{ result: string }>(c.request('invoke', { workspace: 'survivor', mode, contract: '', fn, args }));

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

it('survives kill -9 mid-save and mid-transaction: files whole, sandbox reattached, ledger intact, nothing orphaned', async () => {
  let { client } = await startServer();
  await ok(client.request('workspace/open', { workspace: 'survivor' }));
  const run = await ok<{ ok: boolean }>(client.request('run', { workspace: 'survivor' }));
  expect(run.ok).toBe(true);
  expect((await invoke(client, 'submit', 'Put', 'before', 'committed')).result).toBe('committed');

  // Mid-save: a steady stream of whole-file writes, then SIGKILL while they are in flight.
  const versions = ['A', 'B', 'C', 'D'].map((ch) => ch.repeat(900 * 1024));
  await ok(client.request('file/write', { workspace: 'survivor', path: 'data.txt', content: versions[0] }));
  for (let i = 0; i < 40; i++) void client.request('file/write', { workspace: 'survivor', path: 'data.txt', content: versions[i % versions.length] }).catch(() => undefined);
  // Mid-transaction: a submit that is on its way to the peer.
  void client.request('invoke', { workspace: 'survivor', mode: 'submit', contract: '', fn: 'Put', args: ['during', 'maybe'] }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 30));
  await killServer();
  await client.close();

  const onDisk = await fs.readFile(path.join(kit.dataDir, 'workspaces', 'survivor', 'data.txt'), 'utf8');
  expect(versions).toContain(onDisk);

  ({ client } = await startServer());
  const opened = await ok<{ status: SandboxStatus; files: { path: string }[] }>(client.request('workspace/open', { workspace: 'survivor' }));
  expect(opened.status.phase).toBe('ready');
  expect(opened.status.chaincode).toBe('running');
  expect(opened.files.map((f) => f.path).filter((p) => p.includes('studio-tmp'))).toEqual([]);
  const read = await ok<{ content: string }>(client.request('file/read', { workspace: 'survivor', path: 'data.txt' }));
  expect(versions).toContain(read.content);

  // The sandbox kept running and is used as it is: same container, the ledger as before.
  expect((await invoke(client, 'evaluate', 'Get', 'before')).result).toBe('committed');
  expect(['', 'maybe']).toContain((await invoke(client, 'evaluate', 'Get', 'during')).result);
  expect((await invoke(client, 'submit', 'Put', 'after', 'yes')).result).toBe('yes');
  expect(await kit.containers()).toEqual([`${kit.instance}-survivor`]);
  await client.close();
});
