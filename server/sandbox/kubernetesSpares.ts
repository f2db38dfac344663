/**
 * The warm pool's sandboxes on Kubernetes. A spare is a sandbox of its own
 * (Secret, Pod, NetworkPolicy, claim) made for the workspace key
 * `_pool-<id>` and labelled with its pool id. Kubernetes objects cannot be
 * renamed, so a claim relabels them instead: the Secret (the owner of the
 * rest, and what the driver finds a workspace's sandbox by) and the Pod take
 * the workspace's hash label and annotation and lose the pool label, under
 * the Secret's resourceVersion so only one claim wins. The objects keep the
 * spare's name (the driver looks it up by label); the workspace's build dir
 * becomes a link to the one the pod mounts, as on Docker.
 */
import { randomBytes } from 'node:crypto';
import { type CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { spareNamePrefix } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { AgentStatus } from './agentClient.ts';
import { linkToSpareBuild } from './buildDirLink.ts';
import { api } from './kubernetesApi.ts';
import { instanceLabelValue, k8sLabels, sandboxObjectName, sandboxSecret, sandboxSelector, secretValue, workspaceAnnotation, workspaceHash, type SandboxObjectsOptions } from './kubernetesObjects.ts';
import type { SandboxHandle, SandboxMode, SandboxProgressFn, SpareSandboxes } from './sandboxDriver.ts';

/** What the spares use of the Kubernetes driver. */
export interface KubernetesSpareContext {
  core: CoreV1Api;
  namespace: string;
  instance: string;
  instanceId(): Promise<string>;
  ours(object: { metadata?: { labels?: Record<string, string> } } | undefined): Promise<boolean>;
  readPod(name: string): Promise<V1Pod | undefined>;
  readSecret(name: string): Promise<V1Secret | undefined>;
  objectsOptions(workspace: string, mode: SandboxMode, token: string, extra?: Pick<SandboxObjectsOptions, 'name' | 'spare'>): Promise<SandboxObjectsOptions>;
  launch(o: SandboxObjectsOptions, secret: V1Secret, progress: SandboxProgressFn): Promise<V1Pod>;
  handleFor(workspace: string, pod: V1Pod, token: string, mode: SandboxMode): Promise<SandboxHandle>;
  waitReady(handle: SandboxHandle, progress: SandboxProgressFn): Promise<AgentStatus>;
  removeObjects(name: string): Promise<void>;
  removeBuildDir(dir: string): Promise<void>;
  buildDir(workspace: string): string;
  /** Tells the driver that `workspace`'s objects are called `name` from now on. */
  claimed(workspace: string, name: string): void;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function createKubernetesSpares(ctx: KubernetesSpareContext): SpareSandboxes {
  const { core, namespace, instance } = ctx;
  const spareKey = (id: string) => `${spareNamePrefix}${id}`;
  const spareName = (id: string) => sandboxObjectName(instance, spareKey(id));
  /** The labels and annotation that make the objects the workspace's (null removes a label in a merge patch). */
  const claimPatch = (workspace: string, resourceVersion?: string) => ({
    metadata: {
      ...(resourceVersion ? { resourceVersion } : {}),
      labels: { [k8sLabels.pool]: null, [k8sLabels.workspaceHash]: workspaceHash(instance, workspace) },
      annotations: { [workspaceAnnotation]: workspace },
    },
  });
  const isSpare = async (object: V1Secret | V1Pod | undefined, id: string) => (await ctx.ours(object)) && object?.metadata?.labels?.[k8sLabels.pool] === id;

  return {
    async start(id, progress) {
      if (!/^[a-z0-9]{1,32}$/.test(id)) throw new StudioError(ErrorCode.Internal, `"${id}" is not a spare sandbox id`);
      const key = spareKey(id);
      const o = await ctx.objectsOptions(key, 'dev', randomBytes(24).toString('hex'), { spare: id });
      try {
        const secret = await api('create the spare sandbox secret', () => core.createNamespacedSecret({ namespace, body: sandboxSecret(o) }));
        const pod = await ctx.launch(o, secret, progress);
        await ctx.waitReady(await ctx.handleFor('', pod, o.token, 'dev'), progress);
      } catch (err) {
        await ctx.removeObjects(spareName(id)).catch(() => undefined);
        await ctx.removeBuildDir(ctx.buildDir(key)).catch(() => undefined);
        throw err;
      }
    },

    async claim(id, workspace) {
      const name = spareName(id);
      const [secret, pod] = [await ctx.readSecret(name), await ctx.readPod(name)];
      if (!secret || !(await isSpare(secret, id)) || !(await isSpare(pod, id)) || pod?.status?.phase !== 'Running' || pod.metadata?.deletionTimestamp) {
        throw new StudioError(ErrorCode.Sandbox, `The spare sandbox ${id} is not running.`);
      }
      const token = secretValue(secret, 'token');
      if (!token) throw new StudioError(ErrorCode.Sandbox, `The spare sandbox ${id} holds no agent token.`);
      // The Secret's relabelling is the claim (conditional: a second claim of the same spare fails with a conflict).
      await api('claim a spare sandbox', () => core.patchNamespacedSecret({ name, namespace, body: claimPatch(workspace, secret.metadata?.resourceVersion) }, mergePatch));
      ctx.claimed(workspace, name);
      await api('claim a spare sandbox pod', () => core.patchNamespacedPod({ name, namespace, body: claimPatch(workspace) }, mergePatch));
      await linkToSpareBuild(ctx.buildDir(workspace), ctx.buildDir(spareKey(id)));
      const handle = await ctx.handleFor(workspace, pod, token, 'dev');
      // One status request for a ready spare; a spare an earlier server process left may still be starting.
      await ctx.waitReady(handle, () => undefined);
      return handle;
    },

    async destroy(id) {
      const name = spareName(id);
      const secret = await ctx.readSecret(name);
      // A claimed spare is a workspace's sandbox now: it stays.
      if (secret && !(await isSpare(secret, id))) return;
      await ctx.removeObjects(name);
      await ctx.removeBuildDir(ctx.buildDir(spareKey(id)));
    },

    async list() {
      const selector = `${sandboxSelector(await ctx.instanceId())},${k8sLabels.pool}`;
      const secrets = await api('list spare sandboxes', () => core.listNamespacedSecret({ namespace, labelSelector: selector }));
      const pods = await api('list spare sandbox pods', () => core.listNamespacedPod({ namespace, labelSelector: selector }));
      const running = new Set(pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => p.metadata?.labels?.[k8sLabels.pool]));
      return secrets.items
        .filter((s) => s.metadata?.labels?.[k8sLabels.instance] === instanceLabelValue(instance))
        .map((s) => s.metadata?.labels?.[k8sLabels.pool] ?? '')
        .filter((id) => id !== '')
        .map((id) => ({ id, running: running.has(id) }));
    },
  };
}
