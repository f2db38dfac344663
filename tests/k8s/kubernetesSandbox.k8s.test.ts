/**
 * The sandbox on the Kubernetes driver, against a real cluster: the one
 * `npm run test:k8s` builds and starts on this machine (scripts/k8s), with
 * KUBECONFIG and STUDIO_K8S_NAMESPACE set. The server runs outside the cluster
 * here, so it reaches the pods through the API server's port-forward.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, NetworkingV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, samplesDir } from '../../server/config.ts';
import { createDocker } from '../../server/sandbox/docker.ts';
import { kubernetesSettingsFromEnv, defaultServerPodLabels } from '../../server/sandbox/kubernetesConfig.ts';
import { sandboxObjectName } from '../../server/sandbox/kubernetesObjects.ts';
import { createSandboxManager, type SandboxManager } from '../../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../../server/session/workspaceSession.ts';

const instance = `ccs-k8s-${randomBytes(3).toString('hex')}`;
let dataDir: string;
let sandboxes: SandboxManager;
const sessions: WorkspaceSession[] = [];
const settings = () => kubernetesSettingsFromEnv(dataDir);
const core = () => settings().kubeConfig.makeApiClient(CoreV1Api);
const namespace = () => settings().namespace;
const probeDir = path.join(import.meta.dirname, '..', 'fixtures', 'probe-chaincode');

function workspace(id: string, from: string): Promise<WorkspaceSession> {
  return fs.cp(from, path.join(dataDir, 'workspaces', id), { recursive: true }).then(() => {
    const session = new WorkspaceSession({ workspace: id, workspaceDir: path.join(dataDir, 'workspaces', id), sandboxes, publish: () => undefined });
    sessions.push(session);
    return session;
  });
}

const call = async (s: WorkspaceSession, mode: 'submit' | 'evaluate', fn: string, ...args: string[]) => (await s.invoke({ workspace: s.workspace, mode, contract: '', fn, args })).result;
const pod = (workspace: string) => core().readNamespacedPod({ name: sandboxObjectName(instance, workspace), namespace: namespace() });

/** Everything of this test's instance left in the namespace, by kind. */
async function leftovers(): Promise<string[]> {
  const selector = `chaincode-studio.io/instance=${instance}`;
  const ns = namespace();
  const api = core();
  const networking = settings().kubeConfig.makeApiClient(NetworkingV1Api);
  const names = (kind: string, items: { metadata?: { name?: string } }[]) => items.map((i) => `${kind}/${i.metadata?.name ?? ''}`);
  return [
    ...names('pod', (await api.listNamespacedPod({ namespace: ns, labelSelector: selector })).items),
    ...names('secret', (await api.listNamespacedSecret({ namespace: ns, labelSelector: selector })).items),
    ...names('networkpolicy', (await networking.listNamespacedNetworkPolicy({ namespace: ns, labelSelector: selector })).items),
    ...names('pvc', (await api.listNamespacedPersistentVolumeClaim({ namespace: ns, labelSelector: selector })).items),
  ];
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-k8s-it-'));
  sandboxes = createSandboxManager({ driver: 'kubernetes', docker: createDocker(), dataDir, instance });
});

afterAll(async () => {
  for (const s of sessions) {
    await s.destroy().catch(() => undefined);
    await s.close();
  }
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('a sandbox pod running the TypeScript sample', () => {
  let ts: WorkspaceSession;

  beforeAll(async () => {
    ts = await workspace('asset-ts', path.join(samplesDir, 'asset-transfer-ts'));
  });

  it('runs the chaincode and answers invokes, through the port-forward', async () => {
    const outcome = await ts.run();
    expect(outcome.ok).toBe(true);
    expect(outcome.status.chaincode).toBe('running');
    const created = await ts.invoke({ workspace: 'asset-ts', mode: 'submit', contract: '', fn: 'CreateAsset', args: ['asset1', 'blue', '5', 'Tomoko', '300'] });
    expect(created.validationCode).toBe('VALID');
    expect(JSON.parse(await call(ts, 'evaluate', 'ReadAsset', 'asset1'))).toMatchObject({ ID: 'asset1', Owner: 'Tomoko' });
    await expect.poll(() => ts.logHistory.some((l) => l.source === 'chaincode' && l.text.includes('CreateAsset asset1 owned by Tomoko')), { timeout: 5000 }).toBe(true);
  });

  it('runs as a hardened pod: no service account token, read-only root, no capabilities but the launcher three', async () => {
    const p = (await pod('asset-ts')) as V1Pod;
    expect(p.spec?.automountServiceAccountToken).toBe(false);
    expect(p.spec?.containers[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(p.spec?.volumes?.some((v) => v.projected !== undefined)).toBe(false);
  });

  it('restarts edited code on Run, keeping the ledger while the pod runs', async () => {
    const file = path.join(dataDir, 'workspaces', 'asset-ts', 'src', 'assetTransferContract.ts');
    const original = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, original.replaceAll('does not exist', 'is nowhere to be found'));
    expect((await ts.run()).ok).toBe(true);
    await expect(call(ts, 'evaluate', 'ReadAsset', 'ghost')).rejects.toThrow(/is nowhere to be found/);
    expect(JSON.parse(await call(ts, 'evaluate', 'ReadAsset', 'asset1')).Owner).toBe('Tomoko');
    await fs.writeFile(file, original);
  });

  it('is found again by a restarted server (a new driver on the same data dir)', async () => {
    const again = createSandboxManager({ driver: 'kubernetes', docker: createDocker(), dataDir, instance });
    expect(await again.list()).toEqual([{ workspace: 'asset-ts', running: true }]);
    const handle = await again.find('asset-ts');
    expect(handle).toBeDefined();
    expect((await handle?.agent.status())?.phase).toBe('ready');
    const otherDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-k8s-other-'));
    try {
      const other = createSandboxManager({ driver: 'kubernetes', docker: createDocker(), dataDir: otherDir, instance });
      expect(await other.list()).toEqual([]);
    } finally {
      await fs.rm(otherDir, { recursive: true, force: true });
    }
  });

  it('stops (the pod goes, the owner stays) and starts again', async () => {
    await ts.stop();
    await expect(pod('asset-ts')).rejects.toMatchObject({ code: 404 });
    expect(await sandboxes.list()).toEqual([{ workspace: 'asset-ts', running: false }]);
    expect((await ts.run()).ok).toBe(true);
    expect(JSON.parse(await call(ts, 'evaluate', 'GetAllAssets'))).toEqual([]);
  });
});

describe('a sandbox pod reached by its IP, as a server in the cluster reaches it', () => {
  it('runs and answers an invoke (this host is the node: the network plugin lets the node in)', async () => {
    const byIp = createSandboxManager({ driver: 'kubernetes', docker: createDocker(), dataDir, instance, kubernetes: { ...settings(), connect: 'pod-ip' } });
    const dir = path.join(dataDir, 'workspaces', 'by-ip');
    await fs.cp(path.join(samplesDir, 'asset-transfer-js'), dir, { recursive: true });
    const session = new WorkspaceSession({ workspace: 'by-ip', workspaceDir: dir, sandboxes: byIp, publish: () => undefined });
    sessions.push(session);
    expect((await session.run()).ok).toBe(true);
    const handle = await byIp.find('by-ip');
    expect(handle?.host).toBe((await pod('by-ip')).status?.podIP);
    expect(JSON.parse(await call(session, 'evaluate', 'GetAllAssets'))).toEqual([]);
    await session.destroy();
  });
});

describe('the idle stop of a sandbox pod', () => {
  it('deletes the pod, and the next invoke starts a new one that answers', async () => {
    const idle = await workspace('idle', path.join(samplesDir, 'asset-transfer-js'));
    expect((await idle.run()).ok).toBe(true);
    const before = (await pod('idle')).metadata?.uid;
    await idle.stop({ idle: true });
    expect(idle.idleStopped).toBe(true);
    await expect(pod('idle')).rejects.toMatchObject({ code: 404 });
    // The emptyDir ledger went with the pod: the resumed sandbox starts from a new ledger.
    expect(JSON.parse(await call(idle, 'evaluate', 'GetAllAssets'))).toEqual([]);
    expect((await pod('idle')).metadata?.uid).not.toBe(before);
    await idle.destroy();
  });
});

describe('isolation of a sandbox pod', () => {
  let probe: WorkspaceSession;
  let bystander: WorkspaceSession;

  beforeAll(async () => {
    probe = await workspace('probe', probeDir);
    bystander = await workspace('bystander', probeDir);
    expect((await probe.run()).ok).toBe(true);
    expect((await bystander.run()).ok).toBe(true);
  });

  /** A TCP probe from a pod that carries the server's labels: what the NetworkPolicy lets in. */
  async function probeFromServerPod(host: string, port: number): Promise<string> {
    const api = core();
    const name = `probe-${randomBytes(4).toString('hex')}`;
    const image = (await pod('probe')).spec?.containers[0]?.image ?? '';
    // Tries for up to 10 s: the network plugin learns of a new pod's address a moment after it starts.
    const script = `const probe=()=>new Promise((r)=>{const s=require('net').connect({host:${JSON.stringify(host)},port:${port},timeout:2000});s.on('connect',()=>{s.destroy();r('connected')});s.on('timeout',()=>{s.destroy();r('timeout')});s.on('error',(e)=>r(e.code))});(async()=>{let o='';for(let i=0;i<10&&o!=='connected';i++){o=await probe();if(o!=='connected')await new Promise((r)=>setTimeout(r,1000))}console.log(o)})()`;
    await api.createNamespacedPod({
      namespace: namespace(),
      body: {
        metadata: { name, labels: { ...defaultServerPodLabels, 'chaincode-studio.io/instance': instance } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          containers: [{ name: 'probe', image, imagePullPolicy: 'Never', command: ['/usr/local/bin/node', '-e', script], securityContext: { runAsUser: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
        },
      },
    });
    try {
      await expect.poll(async () => (await api.readNamespacedPod({ name, namespace: namespace() })).status?.phase, { timeout: 60_000, interval: 500 }).toBe('Succeeded');
      return (await api.readNamespacedPodLog({ name, namespace: namespace() })).trim();
    } finally {
      await api.deleteNamespacedPod({ name, namespace: namespace(), gracePeriodSeconds: 0 });
    }
  }

  const blocked = ['timeout', 'refused', 'unreachable'];
  const probeFrom = async (s: WorkspaceSession, host: string, port: number) => (JSON.parse(await call(s, 'evaluate', 'Probe', host, String(port), '2000')) as { outcome: string }).outcome;

  it('cannot reach another sandbox, which a server pod can', async () => {
    const target = (await pod('bystander')).status?.podIP ?? '';
    expect(target).not.toBe('');
    expect(await probeFromServerPod(target, 7000)).toBe('connected');
    // Dropped or rejected by the NetworkPolicy (the agent listens there: the server pod connected).
    expect(blocked).toContain(await probeFrom(probe, target, 7000));
  });

  it('cannot reach the API server, which a pod without the policy can', async () => {
    const server = new URL(settings().kubeConfig.getCurrentCluster()?.server ?? '');
    // The API server's address as pods see it: the node's (the kubeconfig names loopback).
    const nodeIp = (await pod('probe')).status?.hostIP ?? '';
    expect(await probeFromServerPod(nodeIp, Number(server.port))).toBe('connected');
    expect(blocked).toContain(await probeFrom(probe, nodeIp, Number(server.port)));
  });
});

describe('destroying a sandbox pod', () => {
  it('leaves no pod, secret, network policy, claim or build dir', async () => {
    const s = await workspace('doomed', path.join(samplesDir, 'asset-transfer-js'));
    expect((await s.run()).ok).toBe(true);
    expect((await leftovers()).some((l) => l.includes(sandboxObjectName(instance, 'doomed')))).toBe(true);
    await s.destroy();
    expect((await leftovers()).filter((l) => l.includes(sandboxObjectName(instance, 'doomed')))).toEqual([]);
    await expect(fs.access(sandboxes.buildDir('doomed'))).rejects.toThrow();
  });
});

describe('the manifests of deploy/kubernetes', () => {
  const kubectl = (...args: string[]) => execFileSync(process.env.STUDIO_K8S_KUBECTL ?? 'kubectl', args, { encoding: 'utf8' });
  /** `resource` may name a subresource (`pods/log`): kubectl asks for it with --subresource. */
  const can = (verb: string, resource: string, ns: string) => {
    const [kind = '', sub] = resource.split('/');
    return kubectl('auth', 'can-i', verb, kind, ...(sub ? [`--subresource=${sub}`] : []), '-n', ns, '--as=system:serviceaccount:chaincode-studio:chaincode-studio').trim() === 'yes';
  };
  const cannot = (verb: string, resource: string, ns: string) => {
    try {
      return !can(verb, resource, ns);
    } catch {
      // kubectl auth can-i exits 1 on "no".
      return true;
    }
  };

  it('apply with kubectl apply -k, and give the server only what the driver needs, in its namespace', () => {
    const dir = path.join(projectRoot, 'deploy', 'kubernetes');
    try {
      const out = kubectl('apply', '-k', dir);
      for (const object of ['namespace/chaincode-studio', 'serviceaccount/chaincode-studio', 'role.rbac.authorization.k8s.io/chaincode-studio-sandboxes', 'rolebinding.rbac.authorization.k8s.io/chaincode-studio-sandboxes', 'service/chaincode-studio', 'persistentvolumeclaim/chaincode-studio-data', 'deployment.apps/chaincode-studio']) {
        expect(out).toContain(object);
      }
      for (const [verb, resource] of [['create', 'pods'], ['delete', 'pods'], ['get', 'pods/log'], ['create', 'secrets'], ['create', 'networkpolicies.networking.k8s.io'], ['create', 'persistentvolumeclaims'], ['patch', 'pods'], ['patch', 'secrets']] as const) {
        expect(can(verb, resource, 'chaincode-studio')).toBe(true);
      }
      expect(cannot('create', 'pods', 'default')).toBe(true);
      expect(cannot('create', 'pods/exec', 'chaincode-studio')).toBe(true);
      expect(cannot('patch', 'persistentvolumeclaims', 'chaincode-studio')).toBe(true);
      expect(cannot('create', 'roles.rbac.authorization.k8s.io', 'chaincode-studio')).toBe(true);
    } finally {
      kubectl('delete', '-k', dir, '--wait=true', '--timeout=120s', '--ignore-not-found');
    }
  });
});
