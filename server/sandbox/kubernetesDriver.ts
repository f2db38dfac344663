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
import { instanceLabelValue, k8sLabels, sandboxLedgerClaim, sandboxNetworkPolicy, sandboxObjectName, sandboxPod, sandboxSecret, sandboxSelector, workspaceAnnotation, type SandboxObjectsOptions } from './kubernetesObjects.ts';
import { forwardPod, type PodForward } from './kubernetesPortForward.ts';
import type { SandboxDriver, SandboxHandle, SandboxMode, SandboxProgressFn, SpareSandboxes } from './sandboxDriver.ts';
import { waitForAgentReady } from './agentReady.ts';

export interface KubernetesDriverOptions {
  /** Holds the build dirs and the instance id. */
  readonly dataDir: string;
  readonly instance?: string;
  readonly settings: KubernetesSettings;
}

interface ApiError {
  code?: number;
  body?: unknown;
  message?: string;
}

const statusOf = (err: unknown) => (err as ApiError | undefined)?.code;

/** Translates a Kubernetes API failure during `action` into a StudioError a user can act on. */
export function kubernetesError(err: unknown, action: string): StudioError {
  if (err instanceof StudioError) return err;
  const e = (err ?? {}) as ApiError & { cause?: { code?: string } };
  let detail = e.message ?? String(err);
  if (typeof e.body === 'string') {
    try {
      detail = (JSON.parse(e.body) as { message?: string }).message ?? detail;
    } catch {
      // Not JSON: keep the message.
    }
  }
  if (e.code === 403) return new StudioError(ErrorCode.Sandbox, `Kubernetes refused to ${action}: ${detail}. Give the server's service account the Role in deploy/kubernetes.`, { cause: err });
  return new StudioError(ErrorCode.Sandbox, `Kubernetes could not ${action}: ${detail}`, { cause: err });
}

async function api<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw kubernetesError(err, action);
  }
}

async function orUndefined<T>(action: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw kubernetesError(err, action);
  }
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
  const starting = new Map<string, Promise<SandboxHandle>>();
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
  const readPod = (name: string) => orUndefined('read the sandbox pod', () => core.readNamespacedPod({ name, namespace }));

  async function objectsOptions(workspace: string, mode: SandboxMode, token: string): Promise<SandboxObjectsOptions> {
    return {
      namespace,
      instance,
      instanceId: await instanceId(),
      workspace,
      image: await image(),
      imagePullPolicy: settings.imagePullPolicy,
      mode,
      token,
      buildDir: buildDir(workspace),
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
  async function ensureSecret(workspace: string, mode: SandboxMode): Promise<{ secret: V1Secret; token: string; mode: SandboxMode }> {
    const name = nameOf(workspace);
    let secret = await readSecret(name);
    if (secret && !(await ours(secret))) throw notOurs(name);
    if (!secret) {
      const body = sandboxSecret(await objectsOptions(workspace, mode, randomBytes(24).toString('hex')));
      secret = await api('create the sandbox secret', () => core.createNamespacedSecret({ namespace, body }));
    }
    const data = (key: string) => {
      const value = secret.data?.[key] ?? (secret.stringData?.[key] !== undefined ? Buffer.from(secret.stringData[key]).toString('base64') : undefined);
      return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
    };
    const token = data('token');
    const existingMode = data('mode') === 'production' ? 'production' : 'dev';
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

  async function hostOf(pod: V1Pod): Promise<string> {
    const name = pod.metadata?.name ?? '';
    if (settings.connect === 'pod-ip') {
      if (!pod.status?.podIP) throw new StudioError(ErrorCode.Sandbox, `The sandbox pod ${name} has no address yet.`);
      return pod.status.podIP;
    }
    let forward = forwards.get(name);
    if (!forward) {
      forward = forwardPod(settings.kubeConfig, namespace, name);
      forwards.set(name, forward);
      forward.catch(() => forwards.delete(name));
    }
    return (await forward).host;
  }

  async function closeForward(name: string): Promise<void> {
    const forward = forwards.get(name);
    forwards.delete(name);
    await forward?.then((f) => f.close()).catch(() => undefined);
  }

  async function handleFor(workspace: string, pod: V1Pod, token: string, mode: SandboxMode): Promise<SandboxHandle> {
    const host = await hostOf(pod);
    return { workspace, mode, containerName: pod.metadata?.name ?? nameOf(workspace), host, agent: createAgentClient({ host, port: agentPort, token }), buildDir: buildDir(workspace) };
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

  async function doStart(workspace: string, progress: SandboxProgressFn, requestedMode: SandboxMode): Promise<SandboxHandle> {
    const name = nameOf(workspace);
    progress('container', `Creating the sandbox pod in namespace ${namespace} (${requestedMode} mode)`);
    const { secret, token, mode } = await ensureSecret(workspace, requestedMode);
    if (mode !== requestedMode) {
      throw new StudioError(ErrorCode.Sandbox, `The sandbox of ${workspace} runs in ${mode} mode, not ${requestedMode}; destroy it to start it in ${requestedMode} mode.`);
    }
    const objects = await objectsOptions(workspace, mode, token);
    await createIgnoringConflict('create the sandbox network policy', () => networking.createNamespacedNetworkPolicy({ namespace, body: sandboxNetworkPolicy(objects, secret) }));
    const claim = sandboxLedgerClaim(objects, secret);
    if (claim) await createIgnoringConflict('create the sandbox ledger claim', () => core.createNamespacedPersistentVolumeClaim({ namespace, body: claim }));
    await fs.mkdir(path.join(buildDir(workspace), 'app'), { recursive: true });

    let pod = await readPod(name);
    if (pod && !(await ours(pod))) throw notOurs(name);
    // A pod that ended (the node restarted it away, or it crashed) is made again.
    if (pod && (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded' || pod.metadata?.deletionTimestamp)) {
      await deletePod(name, 0);
      pod = undefined;
    }
    if (!pod) await api('create the sandbox pod', () => core.createNamespacedPod({ namespace, body: sandboxPod(objects, secret) }));
    const running = await waitRunning(name, progress);
    const handle = await handleFor(workspace, running, token, mode);
    progress('network', 'Starting the orderer, the peer and the channel');
    await waitReady(handle, progress);
    return handle;
  }

  async function remove(workspace: string): Promise<void> {
    const name = nameOf(workspace);
    const secret = await readSecret(name);
    const pod = await readPod(name);
    await closeForward(name);
    // Another server's objects of the same name stay.
    if (pod && (await ours(pod))) await deletePod(name, 0);
    if (secret && (await ours(secret))) {
      await orUndefined('delete the sandbox network policy', () => networking.deleteNamespacedNetworkPolicy({ name, namespace }));
      await orUndefined('delete the sandbox ledger claim', () => core.deleteNamespacedPersistentVolumeClaim({ name, namespace }));
      // Last: the owner; anything missed above goes with it (garbage collection).
      await orUndefined('delete the sandbox secret', () => core.deleteNamespacedSecret({ name, namespace, propagationPolicy: 'Background' }));
    }
    await fs.rm(buildDir(workspace), { recursive: true, force: true });
  }

  const unsupported = () => new StudioError(ErrorCode.Sandbox, 'The warm pool is not available on the Kubernetes sandbox driver yet; set STUDIO_WARM_SANDBOXES=0.');
  const spares: SpareSandboxes = {
    start: () => Promise.reject(unsupported()),
    claim: () => Promise.reject(unsupported()),
    destroy: () => Promise.resolve(),
    list: () => Promise.resolve([]),
  };

  return {
    instance,
    buildDir,

    start(workspace, progress, startOptions = {}) {
      let pending = starting.get(workspace);
      if (!pending) {
        pending = doStart(workspace, progress, startOptions.mode ?? 'dev').finally(() => starting.delete(workspace));
        starting.set(workspace, pending);
      }
      return pending;
    },

    async find(workspace) {
      const name = nameOf(workspace);
      const pod = await readPod(name);
      if (!pod || !(await ours(pod)) || pod.status?.phase !== 'Running' || !pod.status.podIP || pod.metadata?.deletionTimestamp) return undefined;
      const secret = await readSecret(name);
      if (!secret || !(await ours(secret))) return undefined;
      const { token, mode } = await ensureSecret(workspace, 'dev');
      return handleFor(workspace, pod, token, mode);
    },

    async stop(workspace) {
      const name = nameOf(workspace);
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

    async memoryBytes() {
      // The metrics API is optional on a cluster; the limit is enforced by the kubelet either way.
      return undefined;
    },

    async exists(workspace) {
      return (await readSecret(nameOf(workspace))) !== undefined;
    },

    spares,
  };
}
