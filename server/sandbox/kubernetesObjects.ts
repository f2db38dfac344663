/**
 * The Kubernetes objects of one sandbox, as plain manifests: the Secret that
 * owns them all (it holds the agent token and the mode), the Pod, the
 * NetworkPolicy and, when the ledger is persistent, the PersistentVolumeClaim.
 * The Pod carries what the Docker sandbox's container has: the launcher starts
 * as root with only SETUID, SETGID and KILL and drops to the sandbox uid (see
 * sandbox/agent/privileges.mjs), read-only root filesystem, no privilege
 * escalation, RuntimeDefault seccomp, CPU and memory limits, no service
 * account token. Deleting the Secret deletes the rest (owner references).
 */
import { createHash } from 'node:crypto';
import type { V1NetworkPolicy, V1PersistentVolumeClaim, V1Pod, V1Secret, V1Volume } from '@kubernetes/client-node';
import { k8sForwardedPorts, k8sLabelPrefix, ownerValue, sandboxDiskBytes, sandboxMemoryBytes, sandboxNanoCpus, sandboxTmpfsBytes } from '../config.ts';
import type { SandboxMode } from './sandboxDriver.ts';

export const k8sLabels = {
  managedBy: 'app.kubernetes.io/managed-by',
  instance: `${k8sLabelPrefix}/instance`,
  instanceId: `${k8sLabelPrefix}/instance-id`,
  sandbox: `${k8sLabelPrefix}/sandbox`,
  workspaceHash: `${k8sLabelPrefix}/workspace-hash`,
  /** A spare of the warm pool, not yet claimed: its id. */
  pool: `${k8sLabelPrefix}/pool`,
} as const;
/** Workspace ids need not fit a label value: the id is an annotation, its hash a label. */
export const workspaceAnnotation = `${k8sLabelPrefix}/workspace`;

/** Where the sandbox's ledger lives: lost with the pod (`emptyDir`), or kept in a claim of `storageClass`. */
export type LedgerVolume = { readonly kind: 'emptyDir' } | { readonly kind: 'persistentVolumeClaim'; readonly storageClass?: string };

/**
 * How the pod reads the workspace's build (mounted read-only at /chaincode): a path on the node
 * (the server runs on the node, as in the test cluster), or a subPath of the claim that holds the
 * server's data dir (the server runs in the cluster; the pods share its claim read-only).
 */
export type BuildVolume = { readonly kind: 'hostPath' } | { readonly kind: 'persistentVolumeClaim'; readonly claimName: string; readonly dataDirMount: string };

export interface SandboxObjectsOptions {
  readonly namespace: string;
  readonly instance: string;
  readonly instanceId: string;
  readonly workspace: string;
  readonly image: string;
  /** `Never` by default: the image is imported into the cluster's runtime, there is no registry to pull from. */
  readonly imagePullPolicy: 'Never' | 'IfNotPresent' | 'Always';
  readonly mode: SandboxMode;
  readonly token: string;
  /** The workspace's build dir on the server. */
  readonly buildDir: string;
  readonly ledger: LedgerVolume;
  readonly build: BuildVolume;
  /** Labels of the server's pods: the only pods the NetworkPolicy lets in. */
  readonly serverPodLabels: Readonly<Record<string, string>>;
  /** The objects' name when it is not the workspace's own: a claimed spare keeps the name it started with. */
  readonly name?: string;
  /** A spare's id (the warm pool's): labelled with it, and no workspace yet. */
  readonly spare?: string;
}

/** The name of the objects of `o`. */
export const objectNameOf = (o: SandboxObjectsOptions) => o.name ?? sandboxObjectName(o.instance, o.workspace);

/** A DNS-1123 label from the instance name and the workspace id: at most 63 characters, lowercase. */
export function sandboxObjectName(instance: string, workspace: string): string {
  const prefix = instance.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '').slice(0, 40) || 'ccs';
  return `${prefix}-${workspaceHash(instance, workspace)}`;
}

export function workspaceHash(instance: string, workspace: string): string {
  return createHash('sha256').update(`${instance}/${workspace}`).digest('hex').slice(0, 16);
}

/** The labels that select this server's sandboxes (all of them, or one). */
export function sandboxSelector(instanceId: string, workspace?: { instance: string; id: string }): string {
  const parts = [`${k8sLabels.managedBy}=${ownerValue}`, `${k8sLabels.instanceId}=${instanceId}`];
  if (workspace) parts.push(`${k8sLabels.workspaceHash}=${workspaceHash(workspace.instance, workspace.id)}`);
  return parts.join(',');
}

/** The instance name as a label value. */
export const instanceLabelValue = (instance: string) => instance.toLowerCase().replace(/[^a-z0-9-_.]/g, '-').slice(0, 63);

function labelsOf(o: SandboxObjectsOptions, name: string): Record<string, string> {
  return {
    [k8sLabels.managedBy]: ownerValue,
    [k8sLabels.instance]: instanceLabelValue(o.instance),
    [k8sLabels.instanceId]: o.instanceId,
    [k8sLabels.sandbox]: name,
    [k8sLabels.workspaceHash]: workspaceHash(o.instance, o.workspace),
    ...(o.spare ? { [k8sLabels.pool]: o.spare } : {}),
  };
}

/** A spare has no workspace yet: the annotation comes with the claim. */
const annotationsOf = (o: SandboxObjectsOptions): Record<string, string> => (o.spare ? {} : { [workspaceAnnotation]: o.workspace });

/** The owner of a sandbox's objects: its agent token and mode, kept while the pod is stopped. */
export function sandboxSecret(o: SandboxObjectsOptions): V1Secret {
  const name = objectNameOf(o);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: o.namespace, labels: labelsOf(o, name), annotations: annotationsOf(o) },
    type: 'Opaque',
    stringData: { token: o.token, mode: o.mode },
  };
}

/** A value of the sandbox Secret (`token`, `mode`), as created (stringData) or as read (data, base64). */
export function secretValue(secret: V1Secret, key: string): string | undefined {
  const data = secret.data?.[key];
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

const ownedBy = (owner: V1Secret) => [{ apiVersion: 'v1', kind: 'Secret', name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', blockOwnerDeletion: true, controller: true }];

export function sandboxLedgerClaim(o: SandboxObjectsOptions, owner: V1Secret): V1PersistentVolumeClaim | undefined {
  if (o.ledger.kind !== 'persistentVolumeClaim') return undefined;
  const name = objectNameOf(o);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: o.namespace, labels: labelsOf(o, name), annotations: annotationsOf(o), ownerReferences: ownedBy(owner) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: String(sandboxDiskBytes) } },
      ...(o.ledger.storageClass ? { storageClassName: o.ledger.storageClass } : {}),
    },
  };
}

export function sandboxPod(o: SandboxObjectsOptions, owner: V1Secret): V1Pod {
  const name = objectNameOf(o);
  const ledger: V1Volume =
    o.ledger.kind === 'emptyDir' ? { name: 'ledger', emptyDir: { sizeLimit: String(sandboxDiskBytes) } } : { name: 'ledger', persistentVolumeClaim: { claimName: name } };
  const build: V1Volume = o.build.kind === 'hostPath' ? { name: 'build', hostPath: { path: o.buildDir, type: 'Directory' } } : { name: 'build', persistentVolumeClaim: { claimName: o.build.claimName, readOnly: true } };
  const buildSubPath = o.build.kind === 'persistentVolumeClaim' ? relativeTo(o.build.dataDirMount, o.buildDir) : undefined;
  const cpu = `${Math.round(sandboxNanoCpus / 1_000_000)}m`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace, labels: labelsOf(o, name), annotations: annotationsOf(o), ownerReferences: ownedBy(owner) },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // The pause process is PID 1 and reaps orphans, as docker-init does for the Docker sandbox.
      shareProcessNamespace: true,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 10,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      // The build comes from the server's own claim: a ReadWriteOnce one is only on the server's node.
      ...(o.build.kind === 'persistentVolumeClaim'
        ? { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { ...o.serverPodLabels } }, topologyKey: 'kubernetes.io/hostname' }] } } }
        : {}),
      containers: [
        {
          name: 'sandbox',
          image: o.image,
          imagePullPolicy: o.imagePullPolicy,
          env: [
            { name: 'STUDIO_AGENT_TOKEN', valueFrom: { secretKeyRef: { name, key: 'token' } } },
            { name: 'STUDIO_MODE', value: o.mode },
          ],
          ports: k8sForwardedPorts.map((port) => ({ containerPort: port, protocol: 'TCP' })),
          securityContext: {
            runAsUser: 0,
            runAsGroup: 0,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'], add: ['SETUID', 'SETGID', 'KILL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
          resources: {
            requests: { cpu: '100m', memory: String(Math.round(sandboxMemoryBytes / 2)) },
            limits: { cpu, memory: String(sandboxMemoryBytes), 'ephemeral-storage': String(sandboxDiskBytes + 2 * sandboxTmpfsBytes) },
          },
          volumeMounts: [
            { name: 'ledger', mountPath: '/var/sandbox' },
            { name: 'build', mountPath: '/chaincode', readOnly: true, ...(buildSubPath ? { subPath: buildSubPath } : {}) },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [ledger, build, { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: String(sandboxTmpfsBytes) } }],
    },
  };
}

/**
 * Only the server's pods reach the sandbox, on the sandbox's ports; the sandbox reaches nothing (no
 * egress rule: not other sandboxes, not the API server, not DNS). The port-forward of a server outside
 * the cluster enters the pod's own network namespace and is not subject to it.
 */
export function sandboxNetworkPolicy(o: SandboxObjectsOptions, owner: V1Secret): V1NetworkPolicy {
  const name = objectNameOf(o);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: o.namespace, labels: labelsOf(o, name), ownerReferences: ownedBy(owner) },
    spec: {
      podSelector: { matchLabels: { [k8sLabels.sandbox]: name } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ _from: [{ podSelector: { matchLabels: { ...o.serverPodLabels } } }], ports: k8sForwardedPorts.map((port) => ({ port, protocol: 'TCP' })) }],
      egress: [],
    },
  };
}

function relativeTo(root: string, dir: string): string {
  const rel = dir.startsWith(`${root}/`) ? dir.slice(root.length + 1) : '';
  if (!rel) throw new Error(`The build dir ${dir} is not under the data dir's mount ${root}`);
  return rel;
}
