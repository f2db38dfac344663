/**
 * The warm pool against real Docker and real peers: Run on a new workspace
 * takes a spare; each spare has its own keys and an empty ledger, so a
 * claimed one holds nothing of another workspace; a new server process finds
 * the claimed sandbox as the workspace's; spares and workspaces together
 * never pass the global cap; with a size of 0 there is no pool, and spares
 * an earlier process left are removed.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App, type AppOptions } from '../../../server/app.ts';
import { createDocker } from '../../../server/sandbox/docker.ts';
import { releaseDisksUnder } from '../../../server/sandbox/ledgerDisk.ts';
import { ctx, expectPoolWithinCap, invoke, run, sleep } from '../../kit/appRequests.ts';

const docker = createDocker();
const instance = `ccs-pool-${randomBytes(3).toString('hex')}`;
let dataDir: string;
const apps: App[] = [];

function app(options: Partial<AppOptions>): App {
  const made = createApp({ dataDir, docker, hub: () => undefined, instance, machineBusy: () => false, warmPoolCheckIntervalMs: 300, ...options });
  apps.push(made);
  return made;
}

/** Every container of this test's instance, spares included. */
async function containers(): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { name: [`${instance}-`] } });
  return list.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ''))).sort();
}

/** Runs a new workspace and returns the id of the spare it took. */
async function runClaiming(a: App, workspace: string): Promise<string> {
  const before = (await a.sandboxes.spares.list()).map((s) => s.id);
  await run(a, workspace);
  const after = (await a.sandboxes.spares.list()).map((s) => s.id);
  const taken = before.filter((id) => !after.includes(id));
  expect(taken).toHaveLength(1);
  // The workspace's build dir is the one the spare mounts.
  expect(await fs.readlink(path.join(dataDir, 'builds', workspace))).toBe(`_pool-${taken[0]}`);
  return taken[0] ?? '';
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-pool-'));
});

afterAll(async () => {
  for (const a of apps) await a.close();
  // One more app, without a pool, removes what is left: spares and the workspaces' sandboxes.
  const last = createApp({ dataDir, docker, hub: () => undefined, instance, warmSandboxes: 0 });
  await last.startPool();
  for (const w of await last.store.list()) await last.handlers['workspace/delete']?.({ workspace: w.id }, ctx);
  await last.close();
  await releaseDisksUnder(dataDir);
  await fs.rm(dataDir, { recursive: true, force: true });
  expect(await containers()).toEqual([]);
});

it('Run on new workspaces takes spares with keys of their own and an empty ledger; the pool refills; a new server finds the claimed sandbox as the workspace\'s', async () => {
  const a = app({ warmSandboxes: 2, maxSandboxesTotal: 5 });
  await a.store.create('one', 'asset-transfer-js');
  // Created as the IDE creates it: compiled in the background, and its first Run takes that build over.
  await a.handlers['workspace/create']?.({ name: 'two', sample: 'asset-transfer-js' }, ctx);
  await a.startPool();
  await a.pool.whenFull();
  const spares = await a.sandboxes.spares.list();
  expect(spares).toHaveLength(2);
  expect(await containers()).toHaveLength(2);

  const first = await runClaiming(a, 'one');
  // The container is the workspace's now, under its name, and no longer a spare.
  expect(await containers()).toContain(`${instance}-one`);
  expect(await containers()).not.toContain(`${instance}-_pool-${first}`);
  expect((await a.sandboxes.list()).map((s) => s.workspace)).toContain('one');
  await invoke(a, 'one', 'submit', 'CreateAsset', 'secret', 'red', '1', 'Ada', '1');

  expect(await runClaiming(a, 'two')).not.toBe(first);
  const logOfTwo = (await a.session('two')).logHistory.map((l) => l.text);
  expect(logOfTwo.some((t) => t.startsWith('Nothing changed since the last build'))).toBe(true);
  expect(logOfTwo.some((t) => t.startsWith('Compiled'))).toBe(false);
  // Removing a spare by the id of one that was claimed leaves the workspace's sandbox alone.
  await a.sandboxes.spares.destroy(first);
  expect(await containers()).toContain(`${instance}-one`);
  // No ledger of another workspace: the asset written in one is not in two.
  await expect(invoke(a, 'two', 'evaluate', 'ReadAsset', 'secret')).rejects.toThrow(/does not exist/);
  expect(JSON.parse((await invoke(a, 'one', 'evaluate', 'ReadAsset', 'secret')).result)).toMatchObject({ ID: 'secret' });
  // Keys of its own: each spare ran cryptogen for itself.
  const [idOne, idTwo] = await Promise.all(['one', 'two'].map(async (w) => (await a.sandboxes.find(w))?.agent.identity()));
  expect(idOne?.certificate).toMatch(/BEGIN CERTIFICATE/);
  expect(idOne?.certificate).not.toEqual(idTwo?.certificate);
  expect(idOne?.privateKey).not.toEqual(idTwo?.privateKey);

  // Saving and running again compiles into the claimed sandbox's build.
  const file = path.join(a.store.dir('one'), 'lib', 'assetTransferContract.js');
  const source = await fs.readFile(file, 'utf8');
  await fs.writeFile(file, source.replaceAll('does not exist', 'is nowhere (edited)'));
  await run(a, 'one');
  await expect(invoke(a, 'one', 'evaluate', 'ReadAsset', 'ghost')).rejects.toThrow(/is nowhere \(edited\)/);

  // The pool refills behind the claims.
  await a.pool.whenFull();
  expect(a.pool.ready).toBe(2);

  // A new server process (a new app on the same data) reattaches to the claimed sandbox as the workspace's.
  await a.close();
  const b = app({ warmSandboxes: 2, maxSandboxesTotal: 5 });
  await b.reattach();
  expect((await b.session('one')).sandboxRunning).toBe(true);
  expect(JSON.parse((await invoke(b, 'one', 'evaluate', 'ReadAsset', 'secret')).result)).toMatchObject({ ID: 'secret' });
  await b.startPool();
  expect(b.pool.ready).toBe(2);

  // Deleting the workspace removes everything the spare brought: container, network, disk, build.
  await b.handlers['workspace/delete']?.({ workspace: 'one' }, ctx);
  expect(await containers()).not.toContain(`${instance}-one`);
  const builds = await fs.readdir(path.join(dataDir, 'builds'));
  expect(builds).not.toContain('one');
  const disks = await fs.readdir(path.join(dataDir, 'disks'));
  expect(disks.filter((d) => d.endsWith('.img'))).toHaveLength(3);
  await b.close();
});

it('removes the spares an earlier process left and starts none when the pool size is 0', async () => {
  expect((await containers()).filter((c) => c.includes('_pool-'))).toHaveLength(2);
  const c = app({ warmSandboxes: 0 });
  await c.startPool();
  await sleep(1500);
  expect((await containers()).filter((name) => name.includes('_pool-'))).toEqual([]);
  expect(c.pool.count).toBe(0);
  await c.close();
});

it('keeps spares and workspaces within the global cap, giving a spare up when a workspace needs the room', async () => {
  const d = app({ warmSandboxes: 2, maxSandboxesTotal: 2 });
  await expectPoolWithinCap(d, async () => (await docker.listContainers({ filters: { name: [`${instance}-`] } })).length);
});
