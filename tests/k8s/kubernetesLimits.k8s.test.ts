/**
 * Limits on the Kubernetes driver, against the cluster `npm run test:k8s`
 * starts: the pod's memory limit is the sandbox's, a memory bomb is killed at
 * it and the status names it as on Docker, and the per-user and global caps
 * refuse a Run with the same messages as on Docker (the registry above the
 * driver decides; these check it counts pods).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { sandboxMemoryBytes } from '../../server/config.ts';
import { ErrorCode, StudioError } from '../../server/errors.ts';
import { createDocker } from '../../server/sandbox/docker.ts';
import { kubernetesSettingsFromEnv } from '../../server/sandbox/kubernetesConfig.ts';
import { k8sLabels, sandboxObjectName } from '../../server/sandbox/kubernetesObjects.ts';
import { createSandboxManager, type SandboxManager } from '../../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../../server/session/workspaceSession.ts';
import { ctx } from '../kit/appRequests.ts';

process.env.STUDIO_SANDBOX_DRIVER = 'kubernetes';
const instance = `ccs-k8s-lim-${randomBytes(3).toString('hex')}`;
let dataDir: string;
const settings = () => kubernetesSettingsFromEnv(dataDir);
const core = () => settings().kubeConfig.makeApiClient(CoreV1Api);
const probeDir = path.join(import.meta.dirname, '..', 'fixtures', 'probe-chaincode');

const runningPods = async () =>
  (await core().listNamespacedPod({ namespace: settings().namespace, labelSelector: `${k8sLabels.instance}=${instance}` })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-k8s-limits-'));
});

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('the memory limit of a sandbox pod', () => {
  let sandboxes: SandboxManager;
  let attacker: WorkspaceSession;

  beforeAll(async () => {
    sandboxes = createSandboxManager({ driver: 'kubernetes', docker: createDocker(), dataDir, instance });
    const dir = path.join(dataDir, 'workspaces', 'attacker');
    await fs.cp(probeDir, dir, { recursive: true });
    attacker = new WorkspaceSession({ workspace: 'attacker', workspaceDir: dir, sandboxes, publish: () => undefined });
    expect((await attacker.run()).ok).toBe(true);
  });

  afterAll(async () => {
    await attacker.destroy();
    await attacker.close();
  });

  const call = async (mode: 'submit' | 'evaluate', fn: string, ...args: string[]) => (await attacker.invoke({ workspace: 'attacker', mode, contract: '', fn, args })).result;

  it('is the sandbox memory in the pod\'s limits', async () => {
    const pod = await core().readNamespacedPod({ name: sandboxObjectName(instance, 'attacker'), namespace: settings().namespace });
    expect(pod.spec?.containers[0]?.resources?.limits?.memory).toBe(String(sandboxMemoryBytes));
  });

  it('reports the memory the sandbox uses, read from its cgroup by its agent (the cluster has no metrics API)', async () => {
    const used = await attacker.memoryBytes();
    // A peer, an orderer, the agent and the chaincode: tens of megabytes, within the limit.
    expect(used).toBeGreaterThan(32 * 1024 * 1024);
    expect(used).toBeLessThan(sandboxMemoryBytes);
  });

  it('kills a memory bomb at the limit, names the limit, and Run brings the chaincode back', async () => {
    const bomb = await call('submit', 'Alloc', String(Math.ceil((sandboxMemoryBytes / 1024 / 1024) * 1.5))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(bomb).toBeInstanceOf(StudioError);
    await expect.poll(() => attacker.status.chaincode, { timeout: 20_000 }).toBe('crashed');
    expect(attacker.status.message).toContain(`killed: sandbox memory limit (${sandboxMemoryBytes / 1024 / 1024} MB)`);
    expect(attacker.status.phase).toBe('ready');
    await expect.poll(() => attacker.logHistory.some((l) => l.source === 'sandbox' && l.text.startsWith('A process was killed: sandbox memory limit')), { timeout: 10_000 }).toBe(true);
    expect((await attacker.run()).ok).toBe(true);
    expect(await call('submit', 'Put', 'alive', 'yes')).toBe('yes');
  });
});

describe('the caps on running sandbox pods', () => {
  const apps: App[] = [];
  const app = (caps: { maxSandboxesPerUser: number; maxSandboxesTotal: number }) => {
    const made = createApp({ dataDir, docker: createDocker(), hub: () => undefined, instance, ...caps });
    apps.push(made);
    return made;
  };

  afterAll(async () => {
    const last = app({ maxSandboxesPerUser: 5, maxSandboxesTotal: 5 });
    for (const w of await last.store.list()) await last.handlers['workspace/delete']?.({ workspace: w.id }, ctx);
    for (const a of apps) await a.close();
    expect(await runningPods()).toEqual([]);
  });

  it('refuses a Run over the per-user cap, then over the global cap, with the messages of the Docker driver', async () => {
    const a = app({ maxSandboxesPerUser: 1, maxSandboxesTotal: 5 });
    await a.store.create('first', 'asset-transfer-js');
    await a.store.create('second', 'asset-transfer-js');
    expect((await a.handlers.run?.({ workspace: 'first' }, ctx))?.ok).toBe(true);
    await expect(a.handlers.run?.({ workspace: 'second' }, ctx)).rejects.toMatchObject({
      code: ErrorCode.Limit,
      message: expect.stringMatching(/^You already have 1 sandboxes running \(first\); the limit is 1 running sandboxes per user\. Stop the sandbox of one of them/),
    });
    expect(await runningPods()).toHaveLength(1);
    await a.close();

    const b = app({ maxSandboxesPerUser: 5, maxSandboxesTotal: 1 });
    await b.reattach();
    await expect(b.handlers.run?.({ workspace: 'second' }, ctx)).rejects.toMatchObject({
      code: ErrorCode.Limit,
      message: expect.stringMatching(/^This server already runs 1 sandboxes; its limit is 1 running sandboxes in all\. Stop the sandbox of one of yours \(first\)/),
    });
    expect(await runningPods()).toHaveLength(1);
    // Stopping frees the room.
    await b.handlers['sandbox/stop']?.({ workspace: 'first' }, ctx);
    expect((await b.handlers.run?.({ workspace: 'second' }, ctx))?.ok).toBe(true);
    expect(await runningPods()).toHaveLength(1);
  });
});
