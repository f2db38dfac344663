/**
 * The Kubernetes implementation of {@link SandboxDriver}: one Pod per
 * workspace from the sandbox image, with a NetworkPolicy and (optionally) a
 * ledger claim, all owned by a Secret that holds the agent token and the
 * mode (see kubernetesObjects.ts). Stopping deletes the pod and keeps the
 * Secret; starting makes the pod again; destroying deletes everything.
 * Everything carries our labels with the data dir's instance id, so a
 * restarted server finds its own sandboxes, and only its own.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CoreV1Api, NetworkingV1Api, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { agentPort, imageRepository, k8sPodDeleteTimeoutMs, k8sPodReadyTimeoutMs, sandboxReadyPollMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { createAgentClient, type AgentStatus } from './agentClient.ts';
import { imageInputsHash } from './image/buildImage.ts';
import { loadInstanceId } from './instanceId.ts';
import type { KubernetesSettings } from './kubernetesConfig.ts';
import {
  instanceLabelValue,
  k8sLabels,
  objectNameOf,
  sandboxLedgerClaim,
  sandboxNetworkPolicy,
  sandboxObjectName,
  sandboxPod,
  sandboxSecret,
  sandboxSelector,
  secretValue,
  workspaceAnnotation,
  type SandboxObjectsOptions,
} from './kubernetesObjects.ts';
import { api, kubernetesError, orUndefined, statusOf } from './kubernetesApi.ts';
import { createKubernetesSpares } from './kubernetesSpares.ts';
import { forwardPod, type PodForward } from './kubernetesPortForward.ts';
import { oneStartPerWorkspace, type SandboxDriver, type SandboxHandle, type SandboxMode, type SandboxProgressFn } from './sandboxDriver.ts';
import { waitForAgentReady } from './agentReady.ts';

export interface KubernetesDriverOptions {
  /** Holds the build dirs and the instance id. */
  readonly dataDir: string;
  readonly instance?: string;
  readonly settings: KubernetesSettings;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waiting reasons that do not go away by waiting. */
const stuckReasons = new Set(['ErrImageNeverPull', 'ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/** Sandboxes as pods in `settings.namespace`, labelled with the instance id kept in `dataDir`. */
export function createKubernetesDriver(options: KubernetesDriverOptions): SandboxDriver {
  const { dataDir, settings } = options;
  const { namespace } = settings;
  const instance = options.instance ?? process.env.STUDIO_INSTANCE ?? 'ccs';
  const core = settings.kubeConfig.makeApiClient(CoreV1Api);
  const networking = settings.kubeConfig.makeApiClient(NetworkingV1Api);
  const forwards = new Map<string, Promise<PodForward>>();
  let instanceIdLoad: Promise<string> | undefined;
  const instanceId = () =>
    (instanceIdLoad ??= loadInstanceId(dataDir).catch((err: unknown) => {
      instanceIdLoad = undefined;
      throw err;
    }));
  let imageLoad: Promise<string> | undefined;
  const image = () => (imageLoad ??= settings.image ? Promise.resolve(settings.image) : imageInputsHash().then((hash) => `${imageRepository}:${hash}`));

  const buildDir = (workspace: string) => path.join(dataDir, 'builds', workspace);
  const nameOf = (workspace: string) => sandboxObjectName(instance, workspace);
  const ours = async (object: { metadata?: { labels?: Record<string, string> } } | undefined) => object?.metadata?.labels?.[k8sLabels.instanceId] === (await instanceId());

  const readSecret = (name: string) => orUndefined('read the sandbox secret', () => core.readNamespacedSecret({ name, namespace }));
  /** Workspaces whose sandbox is a claimed spare, by the name its objects keep. */
  const claimedNames = new Map<string, string>();

  /** The name of the workspace's objects: its own, or the one of the spare it claimed (found by its labels). */
  async function objectName(workspace: string): Promise<string> {
    const cached = claimedNames.get(workspace);
    if (cached) return cached;
    const own = nameOf(workspace);
    if (await readSecret(own)) return own;
    const selector = sandboxSelector(await instanceId(), { instance, id: workspace });
    const found = await api('find the sandbox', () => core.listNamespacedSecret({ namespace, labelSelector: selector }));
    const claimed = found.items.find((s) => s.metadata?.annotations?.[workspaceAnnotation] === workspace && !s.metadata.labels?.[k8sLabels.pool])?.metadata?.name;
    if (!claimed) return own;
    claimedNames.set(workspace, claimed);
    return claimed;
  }
  const readPod = (name: string) => orUndefined('read the sandbox pod', () => core.readNamespacedPod({ name, namespace }));

  async function objectsOptions(workspace: string, mode: SandboxMode, token: string, extra: Pick<SandboxObjectsOptions, 'name' | 'spare'> = {}): Promise<SandboxObjectsOptions> {
    return {
      ...extra,
      namespace,
      instance,
      instanceId: await instanceId(),
      workspace,
      image: await image(),
      imagePullPolicy: settings.imagePullPolicy,
      mode,
      token,
      // A claimed spare's build dir is a link to the one it mounts: the pod mounts the dir itself.
      buildDir: await fs.realpath(buildDir(workspace)).catch(() => buildDir(workspace)),
      ledger: settings.ledger,
      build: settings.build,
      serverPodLabels: settings.serverPodLabels,
    };
  }

  const notOurs = (name: string) =>
    new StudioError(
      ErrorCode.Sandbox,
      `The sandbox ${name} in namespace ${namespace} belongs to another Chaincode Studio server (same instance name "${instance}", another data dir). Give each server its own STUDIO_INSTANCE or namespace.`,
    );

  /** The Secret that owns the sandbox's objects, made with a new token when missing. */
  async function ensureSecret(workspace: string, mode: SandboxMode, name = nameOf(workspace)): Promise<{ secret: V1Secret; token: string; mode: SandboxMode }> {
    let secret = await readSecret(name);
    if (secret && !(await ours(secret))) throw notOurs(name);
    if (!secret) {
      const body = sandboxSecret(await objectsOptions(workspace, mode, randomBytes(24).toString('hex'), name === nameOf(workspace) ? {} : { name }));
      secret = await api('create the sandbox secret', () => core.createNamespacedSecret({ namespace, body }));
    }
    const token = secretValue(secret, 'token');
    const existingMode = secretValue(secret, 'mode') === 'production' ? 'production' : 'dev';
    if (!token) throw new StudioError(ErrorCode.Sandbox, `The sandbox secret ${name} holds no agent token; destroy the sandbox and start again.`);
    return { secret, token, mode: existingMode };
  }

  async function createIgnoringConflict(action: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (statusOf(err) !== 409) throw kubernetesError(err, action);
    }
  }

  async function waitPodGone(name: string): Promise<void> {
    const deadline = Date.now() + k8sPodDeleteTimeoutMs;
    while (await readPod(name)) {
      if (Date.now() > deadline) throw new StudioError(ErrorCode.Timeout, `The sandbox pod ${name} was not gone ${k8sPodDeleteTimeoutMs / 1000} s after it was deleted.`);
      await sleep(250);
    }
  }

  async function deletePod(name: string, graceSeconds: number): Promise<void> {
    await orUndefined('delete the sandbox pod', () => core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: graceSeconds }));
    await waitPodGone(name);
  }

  /** Waits until the pod runs and has an address; throws at once on what waiting will not fix. */
  async function waitRunning(name: string, progress: SandboxProgressFn): Promise<V1Pod> {
    const deadline = Date.now() + k8sPodReadyTimeoutMs;
    let last = '';
    for (;;) {
      const pod = await readPod(name);
      if (!pod) throw new StudioError(ErrorCode.Sandbox, `The sandbox pod ${name} vanished while starting.`);
      const phase = pod.status?.phase ?? 'Pending';
      const container = pod.status?.containerStatuses?.[0];
      if (phase === 'Running' && pod.status?.podIP && container?.state?.running) return pod;
      if (phase === 'Failed' || phase === 'Succeeded') {
        const code = container?.state?.terminated?.exitCode;
        throw new StudioError(ErrorCode.Sandbox, `The sandbox pod ${name} stopped while starting (${phase}${code === undefined ? '' : `, exit code ${code}`}). See the sandbox log.`);
      }
      const waiting = container?.state?.waiting;
      if (waiting?.reason && stuckReasons.has(waiting.reason)) {
        const hint = waiting.reason.includes('Image') ? ` Import the sandbox image ${await image()} into the cluster's container runtime (see README, "Chaincode Studio on Kubernetes").` : '';
        throw new StudioError(ErrorCode.Sandbox, `The sandbox pod ${name} cannot start: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}.${hint}`);
      }
      const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      const message = unscheduled ? `Waiting for a node: ${unscheduled.message ?? unscheduled.reason ?? ''}` : `Starting the sandbox pod (${phase})`;
      if (message !== last) {
        last = message;
        progress('container', message);
      }
      if (Date.now() > deadline) throw new StudioError(ErrorCode.Timeout, `The sandbox pod ${name} was not running after ${k8sPodReadyTimeoutMs / 1000} s: ${last}`);
      await sleep(250);
    }
  }

  async function addressOf(pod: V1Pod): Promise<{ host: string; ports?: Readonly<Record<number, number>> }> {
    const name = pod.metadata?.name ?? '';
    if (settings.connect === 'pod-ip') {
      if (!pod.status?.podIP) throw new StudioError(ErrorCode.Sandbox, `The sandbox pod ${name} has no address yet.`);
      return { host: pod.status.podIP };
    }
    let forward = forwards.get(name);
    if (!forward) {
      forward = forwardPod(settings.kubeConfig, namespace, name);
      forwards.set(name, forward);
      forward.catch(() => forwards.delete(name));
    }
    const { host, ports } = await forward;
    return { host, ports };
  }

  async function closeForward(name: string): Promise<void> {
    const forward = forwards.get(name);
    forwards.delete(name);
    await forward?.then((f) => f.close()).catch(() => undefined);
  }

  async function handleFor(workspace: string, pod: V1Pod, token: string, mode: SandboxMode): Promise<SandboxHandle> {
    const { host, ports } = await addressOf(pod);
    const agent = createAgentClient({ host, port: ports?.[agentPort] ?? agentPort, token, ...(ports ? { ports } : {}) });
    return { workspace, mode, containerName: pod.metadata?.name ?? nameOf(workspace), host, ...(ports ? { ports } : {}), agent, buildDir: buildDir(workspace) };
  }

  function waitReady(handle: SandboxHandle, progress: SandboxProgressFn): Promise<AgentStatus> {
    return waitForAgentReady(handle, progress, {
      async whyStopped() {
        const pod = await readPod(handle.containerName);
        if (pod?.status?.phase === 'Running') return undefined;
        const code = pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
        return `The sandbox pod stopped while starting (exit code ${code ?? '?'}). See the sandbox log.`;
      },
      // Through a port-forward every poll is a new stream through the API server: poll less often.
      pollMs: settings.connect === 'port-forward' ? Math.max(sandboxReadyPollMs, 250) : sandboxReadyPollMs,
    });
  }

  /** Makes what the sandbox `o` lacks (policy, claim, build dir, pod) and waits until its pod runs. */
  async function launch(o: SandboxObjectsOptions, secret: V1Secret, progress: SandboxProgressFn): Promise<V1Pod> {
    const name = objectNameOf(o);
    await createIgnoringConflict('create the sandbox network policy', () => networking.createNamespacedNetworkPolicy({ namespace, body: sandboxNetworkPolicy(o, secret) }));
    const claim = sandboxLedgerClaim(o, secret);
    if (claim) await createIgnoringConflict('create the sandbox ledger claim', () => core.createNamespacedPersistentVolumeClaim({ namespace, body: claim }));
    await fs.mkdir(path.join(o.buildDir, 'app'), { recursive: true });

    let pod = await readPod(name);
    if (pod && !(await ours(pod))) throw notOurs(name);
    // A pod that ended (the node restarted it away, or it crashed) is made again.
    if (pod && (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded' || pod.metadata?.deletionTimestamp)) {
      await deletePod(name, 0);
      pod = undefined;
    }
    if (!pod) await api('create the sandbox pod', () => core.createNamespacedPod({ namespace, body: sandboxPod(o, secret) }));
    return waitRunning(name, progress);
  }

  async function doStart(workspace: string, progress: SandboxProgressFn, requestedMode: SandboxMode): Promise<SandboxHandle> {
    const name = await objectName(workspace);
    progress('container', `Creating the sandbox pod in namespace ${namespace} (${requestedMode} mode)`);
    const { secret, token, mode } = await ensureSecret(workspace, requestedMode, name);
    if (mode !== requestedMode) {
      throw new StudioError(ErrorCode.Sandbox, `The sandbox of ${workspace} runs in ${mode} mode, not ${requestedMode}; destroy it to start it in ${requestedMode} mode.`);
    }
    const running = await launch(await objectsOptions(workspace, mode, token, name === nameOf(workspace) ? {} : { name }), secret, progress);
    const handle = await handleFor(workspace, running, token, mode);
    progress('network', 'Starting the orderer, the peer and the channel');
    await waitReady(handle, progress);
    return handle;
  }

  /** Deletes the sandbox objects called `name` that are ours (another server's of the same name stay). */
  async function removeObjects(name: string): Promise<void> {
    const secret = await readSecret(name);
    const pod = await readPod(name);
    await closeForward(name);
    if (pod && (await ours(pod))) await deletePod(name, 0);
    if (secret && (await ours(secret))) {
      await orUndefined('delete the sandbox network policy', () => networking.deleteNamespacedNetworkPolicy({ name, namespace }));
      await orUndefined('delete the sandbox ledger claim', () => core.deleteNamespacedPersistentVolumeClaim({ name, namespace }));
      // Last: the owner; anything missed above goes with it (garbage collection).
      await orUndefined('delete the sandbox secret', () => core.deleteNamespacedSecret({ name, namespace, propagationPolicy: 'Background' }));
    }
  }

  /** Removes a build dir, and the spare's dir it links to when it is a claimed spare's. */
  async function removeBuildDir(dir: string): Promise<void> {
    const link = await fs.readlink(dir).catch(() => undefined);
    if (link !== undefined) await fs.rm(path.join(path.dirname(dir), path.basename(link)), { recursive: true, force: true });
    await fs.rm(dir, { recursive: true, force: true });
  }

  async function remove(workspace: string): Promise<void> {
    await removeObjects(await objectName(workspace));
    claimedNames.delete(workspace);
    await removeBuildDir(buildDir(workspace));
  }

  const spares = createKubernetesSpares({
    core,
    namespace,
    instance,
    instanceId,
    ours,
    readPod,
    readSecret,
    objectsOptions,
    launch,
    handleFor,
    waitReady,
    removeObjects,
    removeBuildDir,
    buildDir,
    claimed: (workspace, name) => claimedNames.set(workspace, name),
  });

  async function find(workspace: string): Promise<SandboxHandle | undefined> {
    const name = await objectName(workspace);
    const pod = await readPod(name);
    if (!pod || !(await ours(pod)) || pod.status?.phase !== 'Running' || !pod.status.podIP || pod.metadata?.deletionTimestamp) return undefined;
    const secret = await readSecret(name);
    if (!secret || !(await ours(secret))) return undefined;
    const { token, mode } = await ensureSecret(workspace, 'dev', name);
    return handleFor(workspace, pod, token, mode);
  }

  return {
    instance,
    buildDir,

    start: oneStartPerWorkspace(doStart),

    find,

    async stop(workspace) {
      const name = await objectName(workspace);
      const pod = await readPod(name);
      await closeForward(name);
      if (!pod || !(await ours(pod))) return;
      await deletePod(name, 10);
    },

    destroy: (workspace) => remove(workspace),

    async list() {
      const id = await instanceId();
      const secrets = await api('list sandboxes', () => core.listNamespacedSecret({ namespace, labelSelector: sandboxSelector(id) }));
      const pods = await api('list sandbox pods', () => core.listNamespacedPod({ namespace, labelSelector: sandboxSelector(id) }));
      const running = new Set(pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name));
      return secrets.items
        .filter((s) => s.metadata?.labels?.[k8sLabels.instance] === instanceLabelValue(instance))
        .map((s) => ({ workspace: s.metadata?.annotations?.[workspaceAnnotation] ?? '', running: running.has(s.metadata?.name) }))
        .filter((s) => s.workspace !== '');
    },

    async memoryBytes(workspace) {
      // The metrics API is optional on a cluster: the sandbox's agent reads its own cgroup instead.
      const handle = await find(workspace);
      return handle ? handle.agent.memoryBytes() : undefined;
    },

    async exists(workspace) {
      return (await readSecret(await objectName(workspace))) !== undefined;
    },

    spares,
  };
}
