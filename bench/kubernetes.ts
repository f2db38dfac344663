/**
 * The Kubernetes driver on the single-node cluster that scripts/k8s builds and
 * starts here (torn down after): `k8sSandboxReadyMs` (a new sandbox pod until
 * its Fabric network is ready), `k8sRunInvokeMs` (Run on a new workspace
 * until its first invoke is answered) and `k8sWarmRunInvokeMs` (the same for a
 * workspace that takes a spare pod), the server outside the cluster, through
 * the API server's port-forward. Only with `--only=k8s` (it builds a cluster).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { projectRoot, samplesDir } from '../server/config.ts';
import { ensureSandboxImage } from '../server/sandbox/image/buildImage.ts';
import { createSandboxManager } from '../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../server/session/workspaceSession.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

interface ClusterScripts {
  startCluster(images: string[]): Promise<Record<string, unknown>>;
  stopCluster(): Promise<void>;
}

export async function measureKubernetes(docker: Docker, report: Report): Promise<Record<string, number>> {
  const start = (await import(path.join(projectRoot, 'scripts', 'k8s', 'start.mjs'))) as Pick<ClusterScripts, 'startCluster'>;
  const stop = (await import(path.join(projectRoot, 'scripts', 'k8s', 'stop.mjs'))) as Pick<ClusterScripts, 'stopCluster'>;
  const { kubeconfig } = (await import(path.join(projectRoot, 'scripts', 'k8s', 'cluster.mjs'))) as { kubeconfig: string };
  const image = (await ensureSandboxImage(docker)).tag;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-bench-k8s-'));
  const saved = { KUBECONFIG: process.env.KUBECONFIG, STUDIO_K8S_NAMESPACE: process.env.STUDIO_K8S_NAMESPACE, STUDIO_K8S_IMAGE: process.env.STUDIO_K8S_IMAGE };
  const sessions: WorkspaceSession[] = [];
  try {
    await start.startCluster([image]);
    Object.assign(process.env, { KUBECONFIG: kubeconfig, STUDIO_K8S_NAMESPACE: 'default', STUDIO_K8S_IMAGE: image });
    const sandboxes = createSandboxManager({ driver: 'kubernetes', docker, dataDir, instance: `ccs-bench-k8s-${randomBytes(3).toString('hex')}` });
    const session = async (id: string, warmPool?: ConstructorParameters<typeof WorkspaceSession>[0]['warmPool']) => {
      const dir = path.join(dataDir, 'workspaces', id);
      await fs.cp(path.join(samplesDir, 'asset-transfer-ts'), dir, { recursive: true });
      const s = new WorkspaceSession({ workspace: id, workspaceDir: dir, sandboxes, publish: () => undefined, ...(warmPool ? { warmPool } : {}) });
      sessions.push(s);
      return s;
    };

    await session('ready');
    let started = performance.now();
    await sandboxes.start('ready', () => undefined);
    const k8sSandboxReadyMs = Math.round(performance.now() - started);
    report('k8sSandboxReadyMs', k8sSandboxReadyMs, ' ms');

    const fresh = await session('run-invoke');
    started = performance.now();
    const outcome = await fresh.run();
    if (!outcome.ok) throw new Error('the sample did not compile');
    await fresh.invoke({ workspace: 'run-invoke', mode: 'evaluate', contract: '', fn: 'GetAllAssets', args: [] });
    const k8sRunInvokeMs = Math.round(performance.now() - started);
    report('k8sRunInvokeMs', k8sRunInvokeMs, ' ms');

    // The same on a new workspace that takes a spare pod of the warm pool (started beforehand, not timed).
    await sandboxes.spares.start('bench', () => undefined);
    const warm = await session('warm-run-invoke', { claimIfNew: (workspace) => sandboxes.spares.claim('bench', workspace) });
    started = performance.now();
    if (!(await warm.run()).ok) throw new Error('the sample did not compile');
    await warm.invoke({ workspace: 'warm-run-invoke', mode: 'evaluate', contract: '', fn: 'GetAllAssets', args: [] });
    const k8sWarmRunInvokeMs = Math.round(performance.now() - started);
    report('k8sWarmRunInvokeMs', k8sWarmRunInvokeMs, ' ms');
    return { k8sSandboxReadyMs, k8sRunInvokeMs, k8sWarmRunInvokeMs };
  } finally {
    for (const s of sessions) {
      await s.destroy().catch(() => undefined);
      await s.close();
    }
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await stop.stopCluster();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
