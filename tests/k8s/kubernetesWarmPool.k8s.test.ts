/**
 * The warm pool on the Kubernetes driver, against the cluster `npm run
 * test:k8s` starts: spares are pods labelled with their pool id; Run on a new
 * workspace claims one (relabelled as the workspace's, its build dir a link
 * to the spare's); a claimed spare has keys of its own and an empty ledger;
 * it stops and starts again as the workspace's, a new server finds it, and
 * deleting the workspace leaves nothing; spares and workspaces together never
 * pass the global cap.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App, type AppOptions } from '../../server/app.ts';
import { createDocker } from '../../server/sandbox/docker.ts';
import { kubernetesSettingsFromEnv } from '../../server/sandbox/kubernetesConfig.ts';
import { k8sLabels, workspaceAnnotation, workspaceHash } from '../../server/sandbox/kubernetesObjects.ts';
import { ctx, expectPoolWithinCap, invoke, run } from '../kit/appRequests.ts';

// createApp picks the driver from the environment, as the server does.
process.env.STUDIO_SANDBOX_DRIVER = 'kubernetes';
const docker = createDocker();
const instance = `ccs-k8s-pool-${randomBytes(3).toString('hex')}`;
let dataDir: string;
const apps: App[] = [];
const settings = () => kubernetesSettingsFromEnv(dataDir);
const core = () => settings().kubeConfig.makeApiClient(CoreV1Api);

function app(options: Partial<AppOptions>): App {
  const made = createApp({ dataDir, docker, hub: () => undefined, instance, machineBusy: () => false, warmPoolCheckIntervalMs: 300, ...options });
  apps.push(made);
  return made;
}

/** The pods of this test's instance, spares included; `running` counts only those not on their way out. */
async function pods(): Promise<V1Pod[]> {
  const list = await core().listNamespacedPod({ namespace: settings().namespace, labelSelector: `${k8sLabels.instance}=${instance}` });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

const podOf = async (workspace: string) => (await pods()).find((p) => p.metadata?.labels?.[k8sLabels.workspaceHash] === workspaceHash(instance, workspace));

/** Runs a new workspace and returns the id of the spare it took. */
async function runClaiming(a: App, workspace: string): Promise<string> {
  const before = (await a.sandboxes.spares.list()).map((s) => s.id);
  await run(a, workspace);
  const after = (await a.sandboxes.spares.list()).map((s) => s.id);
  const taken = before.filter((id) => !after.includes(id));
  expect(taken).toHaveLength(1);
  const id = taken[0] ?? '';
  // The spare's pod is the workspace's now: relabelled, no longer in the pool; its build dir is the workspace's.
  const pod = await podOf(workspace);
  expect(pod?.metadata?.annotations?.[workspaceAnnotation]).toBe(workspace);
  expect(pod?.metadata?.labels?.[k8sLabels.pool]).toBeUndefined();
  expect(await fs.readlink(path.join(dataDir, 'builds', workspace))).toBe(`_pool-${id}`);
  return id;
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-k8s-pool-'));
});

afterAll(async () => {
  for (const a of apps) await a.close();
  // One more app, without a pool, removes what is left: spares and the workspaces' sandboxes.
  const last = createApp({ dataDir, docker, hub: () => undefined, instance, warmSandboxes: 0 });
  await last.startPool();
  for (const w of await last.store.list()) await last.handlers['workspace/delete']?.({ workspace: w.id }, ctx);
  await last.close();
  expect(await pods()).toEqual([]);
  await fs.rm(dataDir, { recursive: true, force: true });
});

it('Run on new workspaces claims spare pods with keys of their own and an empty ledger; a claimed pod stops, starts and is found again as the workspace\'s', async () => {
  const a = app({ warmSandboxes: 2, maxSandboxesTotal: 5 });
  await a.store.create('one', 'asset-transfer-js');
  await a.store.create('two', 'asset-transfer-js');
  await a.startPool();
  await a.pool.whenFull();
  expect((await a.sandboxes.spares.list()).filter((s) => s.running)).toHaveLength(2);
  expect((await pods()).map((p) => p.metadata?.labels?.[k8sLabels.pool])).toEqual(expect.arrayContaining([expect.any(String), expect.any(String)]));

  const first = await runClaiming(a, 'one');
  expect((await a.sandboxes.list()).map((s) => s.workspace)).toContain('one');
  await invoke(a, 'one', 'submit', 'CreateAsset', 'secret', 'red', '1', 'Ada', '1');
  expect(await runClaiming(a, 'two')).not.toBe(first);

  // Removing a spare by the id of one that was claimed leaves the workspace's pod alone.
  await a.sandboxes.spares.destroy(first);
  expect(await podOf('one')).toBeDefined();
  // No ledger of another workspace: the asset written in one is not in two.
  await expect(invoke(a, 'two', 'evaluate', 'ReadAsset', 'secret')).rejects.toThrow(/does not exist/);
  expect(JSON.parse((await invoke(a, 'one', 'evaluate', 'ReadAsset', 'secret')).result)).toMatchObject({ ID: 'secret' });
  // Keys of their own: each spare pod ran cryptogen for itself.
  const [idOne, idTwo] = await Promise.all(['one', 'two'].map(async (w) => (await a.sandboxes.find(w))?.agent.identity()));
  expect(idOne?.certificate).toMatch(/BEGIN CERTIFICATE/);
  expect(idOne?.certificate).not.toEqual(idTwo?.certificate);
  expect(idOne?.privateKey).not.toEqual(idTwo?.privateKey);

  // The pool refills behind the claims.
  await a.pool.whenFull();
  expect(a.pool.ready).toBe(2);

  // Stopped and started again, the claimed sandbox is the workspace's: same objects, a new pod, its build.
  const claimedName = (await podOf('one'))?.metadata?.name;
  await (await a.session('one')).stop();
  expect(await podOf('one')).toBeUndefined();
  await run(a, 'one');
  expect((await podOf('one'))?.metadata?.name).toBe(claimedName);
  expect((await podOf('one'))?.metadata?.labels?.[k8sLabels.pool]).toBeUndefined();
  expect(JSON.parse((await invoke(a, 'one', 'evaluate', 'GetAllAssets')).result)).toEqual([]);

  // A new server process (a new app on the same data) finds the claimed pod as the workspace's.
  await a.close();
  const b = app({ warmSandboxes: 2, maxSandboxesTotal: 5 });
  await b.reattach();
  expect((await b.session('one')).sandboxRunning).toBe(true);
  expect(JSON.parse((await invoke(b, 'one', 'evaluate', 'GetAllAssets')).result)).toEqual([]);

  // Deleting the workspace removes everything the spare brought: its objects and both build dirs.
  await b.handlers['workspace/delete']?.({ workspace: 'one' }, ctx);
  expect(await podOf('one')).toBeUndefined();
  const secrets = await core().listNamespacedSecret({ namespace: settings().namespace, labelSelector: `${k8sLabels.instance}=${instance}` });
  expect(secrets.items.map((s) => s.metadata?.name)).not.toContain(claimedName);
  const builds = await fs.readdir(path.join(dataDir, 'builds'));
  expect(builds).not.toContain('one');
  expect(builds).not.toContain(`_pool-${first}`);
  await b.close();
});

it('keeps spare pods and workspaces within the global cap, giving a spare up when a workspace needs the room', async () => {
  const d = app({ warmSandboxes: 2, maxSandboxesTotal: 2 });
  await expectPoolWithinCap(d, async () => (await pods()).length);
  expect((await pods()).filter((p) => p.metadata?.labels?.[k8sLabels.pool])).toEqual([]);
});
