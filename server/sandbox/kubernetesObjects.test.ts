import { describe, expect, it } from 'vitest';
import { sandboxDiskBytes, sandboxMemoryBytes } from '../config.ts';
import { k8sLabels, sandboxLedgerClaim, sandboxNetworkPolicy, sandboxObjectName, sandboxPod, sandboxSecret, sandboxSelector, workspaceAnnotation, type SandboxObjectsOptions } from './kubernetesObjects.ts';

const options: SandboxObjectsOptions = {
  namespace: 'studio',
  instance: 'CCS_Test',
  instanceId: '0123456789abcdef0123456789abcdef',
  workspace: 'My Workspace_1',
  image: 'chaincode-studio-sandbox:abc',
  imagePullPolicy: 'Never',
  mode: 'dev',
  token: 'secret-token',
  buildDir: '/data/builds/My Workspace_1',
  ledger: { kind: 'emptyDir' },
  build: { kind: 'hostPath' },
  serverPodLabels: { 'app.kubernetes.io/name': 'chaincode-studio' },
};
const owner = { ...sandboxSecret(options), metadata: { ...sandboxSecret(options).metadata, uid: 'uid-1' } };

describe('the Kubernetes objects of a sandbox', () => {
  it('are named by a DNS-1123 label whatever the workspace id, which an annotation keeps', () => {
    const name = sandboxObjectName(options.instance, options.workspace);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(name).not.toBe(sandboxObjectName(options.instance, 'other'));
    expect(sandboxSecret(options).metadata?.annotations?.[workspaceAnnotation]).toBe('My Workspace_1');
  });

  it('keep the agent token in the Secret, which owns the pod and the network policy', () => {
    const pod = sandboxPod(options, owner);
    expect(sandboxSecret(options).stringData).toEqual({ token: 'secret-token', mode: 'dev' });
    const env = pod.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'STUDIO_AGENT_TOKEN')).toEqual({ name: 'STUDIO_AGENT_TOKEN', valueFrom: { secretKeyRef: { name: owner.metadata?.name, key: 'token' } } });
    expect(JSON.stringify(pod)).not.toContain('secret-token');
    for (const object of [pod, sandboxNetworkPolicy(options, owner)]) {
      expect(object.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Secret', uid: 'uid-1', controller: true })]);
      expect(object.metadata?.labels?.[k8sLabels.instanceId]).toBe(options.instanceId);
    }
  });

  it("harden the pod as the Docker sandbox's container is", () => {
    const spec = sandboxPod(options, owner).spec;
    const container = spec?.containers[0];
    expect(spec?.automountServiceAccountToken).toBe(false);
    expect(spec?.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(container?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['SETUID', 'SETGID', 'KILL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container?.resources?.limits?.memory).toBe(String(sandboxMemoryBytes));
    expect(container?.imagePullPolicy).toBe('Never');
    expect(spec?.volumes?.find((v) => v.name === 'ledger')?.emptyDir?.sizeLimit).toBe(String(sandboxDiskBytes));
    expect(container?.volumeMounts?.find((m) => m.mountPath === '/chaincode')).toMatchObject({ readOnly: true });
  });

  it('mount the build from the server data claim by subPath when the server runs in the cluster', () => {
    const pod = sandboxPod({ ...options, build: { kind: 'persistentVolumeClaim', claimName: 'studio-data', dataDirMount: '/data' } }, owner);
    expect(pod.spec?.volumes?.find((v) => v.name === 'build')?.persistentVolumeClaim).toEqual({ claimName: 'studio-data', readOnly: true });
    expect(pod.spec?.containers[0]?.volumeMounts?.find((m) => m.name === 'build')?.subPath).toBe('builds/My Workspace_1');
    expect(() => sandboxPod({ ...options, buildDir: '/elsewhere/x', build: { kind: 'persistentVolumeClaim', claimName: 'c', dataDirMount: '/data' } }, owner)).toThrow(/not under/);
  });

  it('make a ledger claim only when the ledger is persistent', () => {
    expect(sandboxLedgerClaim(options, owner)).toBeUndefined();
    const claim = sandboxLedgerClaim({ ...options, ledger: { kind: 'persistentVolumeClaim', storageClass: 'fast' } }, owner);
    expect(claim?.spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: String(sandboxDiskBytes) } } });
  });

  it('let only the server pods in and nothing out', () => {
    const policy = sandboxNetworkPolicy(options, owner).spec;
    expect(policy?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy?.egress).toEqual([]);
    expect(policy?.ingress?.[0]?._from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'chaincode-studio' } } }]);
    expect(policy?.podSelector?.matchLabels?.[k8sLabels.sandbox]).toBe(sandboxObjectName(options.instance, options.workspace));
  });

  it('select this server sandboxes by instance id', () => {
    expect(sandboxSelector('id1')).toBe('app.kubernetes.io/managed-by=chaincode-studio,chaincode-studio.io/instance-id=id1');
  });
});
