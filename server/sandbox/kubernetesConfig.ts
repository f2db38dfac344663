/**
 * The Kubernetes driver's settings, from the environment: which cluster
 * (KUBECONFIG or the in-cluster service account), which namespace, which
 * image, where the ledger and the build live, and how the server reaches a
 * pod (its IP in the cluster, the API server's port-forward from outside).
 */
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { ErrorCode, StudioError } from '../errors.ts';
import type { BuildVolume, LedgerVolume } from './kubernetesObjects.ts';

export type PodConnect = 'pod-ip' | 'port-forward';

export interface KubernetesSettings {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** The sandbox image as the cluster's runtime knows it; undefined: this checkout's sandbox image tag. */
  readonly image?: string;
  readonly imagePullPolicy: 'Never' | 'IfNotPresent' | 'Always';
  readonly ledger: LedgerVolume;
  readonly build: BuildVolume;
  readonly connect: PodConnect;
  readonly serverPodLabels: Readonly<Record<string, string>>;
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';
export const defaultServerPodLabels = { 'app.kubernetes.io/name': 'chaincode-studio', 'app.kubernetes.io/component': 'server' } as const;

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (!key || value === undefined) throw new StudioError(ErrorCode.Sandbox, `STUDIO_K8S_SERVER_LABELS must be key=value pairs separated by commas, not "${text}".`);
    labels[key] = value;
  }
  return labels;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new StudioError(ErrorCode.Sandbox, `${name} must be one of ${allowed.join(', ')}, not "${value}".`);
}

/** The settings from `env`; `dataDir` is where the server keeps its data (the build dirs are under it). */
export function kubernetesSettingsFromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): KubernetesSettings {
  const kubeConfig = new KubeConfig();
  // In a pod: the service account; outside: KUBECONFIG or ~/.kube/config.
  kubeConfig.loadFromDefault();
  const inCluster = env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBECONFIG === undefined;
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  let namespace = env.STUDIO_K8S_NAMESPACE || contextNamespace;
  if (!namespace && inCluster) namespace = readFileSync(`${serviceAccountDir}/namespace`, 'utf8').trim();
  const claimName = env.STUDIO_K8S_DATA_CLAIM;
  return {
    kubeConfig,
    namespace: namespace || 'default',
    ...(env.STUDIO_K8S_IMAGE ? { image: env.STUDIO_K8S_IMAGE } : {}),
    imagePullPolicy: oneOf('STUDIO_K8S_IMAGE_PULL_POLICY', env.STUDIO_K8S_IMAGE_PULL_POLICY, ['Never', 'IfNotPresent', 'Always'], 'Never'),
    ledger:
      oneOf('STUDIO_K8S_LEDGER', env.STUDIO_K8S_LEDGER, ['emptyDir', 'persistentVolumeClaim'], 'emptyDir') === 'emptyDir'
        ? { kind: 'emptyDir' }
        : { kind: 'persistentVolumeClaim', ...(env.STUDIO_K8S_STORAGE_CLASS ? { storageClass: env.STUDIO_K8S_STORAGE_CLASS } : {}) },
    build: claimName ? { kind: 'persistentVolumeClaim', claimName, dataDirMount: env.STUDIO_K8S_DATA_MOUNT ?? dataDir } : { kind: 'hostPath' },
    connect: oneOf('STUDIO_K8S_CONNECT', env.STUDIO_K8S_CONNECT, ['pod-ip', 'port-forward'], inCluster ? 'pod-ip' : 'port-forward'),
    serverPodLabels: env.STUDIO_K8S_SERVER_LABELS ? parseLabels(env.STUDIO_K8S_SERVER_LABELS) : defaultServerPodLabels,
  };
}
