/**
 * Chaincode Studio deployed on the test cluster with `kubectl apply -k
 * deploy/kubernetes`: the server pod (image built by scripts/k8s/test.mjs from
 * this checkout) starts sandbox pods through its service account, reaches them
 * by pod IP and mounts their builds from its data claim; a client reaches it
 * through kubectl port-forward and gets a Run and an invoke answered.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/config.ts';
import { TestClient } from '../kit/studioHarness.ts';

const kubectlBin = process.env.STUDIO_K8S_KUBECTL ?? 'kubectl';
const kubectl = (...args: string[]) => execFileSync(kubectlBin, args, { encoding: 'utf8' });
const manifests = path.join(projectRoot, 'deploy', 'kubernetes');
const token = `k8s-deployed-${process.pid}-0123456789`;
const localPort = 20_000 + (process.pid % 10_000);
const origin = `http://127.0.0.1:${localPort}`;
let dataDir: string;
let forward: ChildProcess | undefined;
let client: TestClient | undefined;

beforeAll(async () => {
  // The test cluster has no storage provisioner: the data claim binds to a hostPath volume made here.
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-k8s-server-data-'));
  await fs.chown(dataDir, 10001, 10001);
  const volume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'ccs-test-server-data' }, spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: dataDir, type: 'Directory' } } };
  execFileSync(kubectlBin, ['apply', '-f', '-'], { input: JSON.stringify(volume) });
  kubectl('apply', '-k', manifests);
  const env = [
    `STUDIO_K8S_IMAGE=${process.env.STUDIO_K8S_IMAGE ?? ''}`,
    `STUDIO_TOKEN=${token}`,
    `STUDIO_ALLOWED_ORIGINS=${origin}`,
    // No kube-proxy on the test cluster: the kubernetes Service's address leads nowhere, the API server's own does.
    `KUBERNETES_SERVICE_HOST=${process.env.STUDIO_K8S_API_HOST ?? ''}`,
    `KUBERNETES_SERVICE_PORT=${process.env.STUDIO_K8S_API_PORT ?? ''}`,
  ];
  kubectl('-n', 'chaincode-studio', 'set', 'image', 'deployment/chaincode-studio', `server=${process.env.STUDIO_K8S_SERVER_IMAGE ?? ''}`);
  kubectl('-n', 'chaincode-studio', 'set', 'env', 'deployment/chaincode-studio', ...env);
  kubectl('-n', 'chaincode-studio', 'rollout', 'status', 'deployment/chaincode-studio', '--timeout=180s');
  forward = spawn(kubectlBin, ['-n', 'chaincode-studio', 'port-forward', 'deployment/chaincode-studio', `${localPort}:8080`], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    forward?.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('Forwarding from') && resolve());
    forward?.once('exit', (code) => reject(new Error(`kubectl port-forward exited with ${code}`)));
  });
  client = await TestClient.open(`ws://127.0.0.1:${localPort}/ws?token=${token}`, { origin });
});

afterAll(async () => {
  await client?.close();
  forward?.kill();
  kubectl('delete', '-k', manifests, '--wait=true', '--timeout=120s', '--ignore-not-found');
  kubectl('delete', 'persistentvolume', 'ccs-test-server-data', '--ignore-not-found');
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('Chaincode Studio deployed with kubectl apply -k', () => {
  it('answers a Run and an invoke on a sandbox pod it starts, and deletes it with the workspace', async () => {
    const c = client as TestClient;
    const slow = { timeoutMs: 180_000 };
    const result = <T>(reply: unknown) => {
      const r = reply as { result?: T; error?: { message: string } };
      if (r.error) throw new Error(r.error.message);
      return r.result as T;
    };
    result(await c.request('workspace/create', { name: 'deployed', sample: 'asset-transfer-js' }));
    result(await c.request('workspace/open', { workspace: 'deployed' }));
    expect(result<{ ok: boolean }>(await c.request('run', { workspace: 'deployed' }, slow)).ok).toBe(true);
    const created = result<{ validationCode: string }>(await c.request('invoke', { workspace: 'deployed', mode: 'submit', contract: '', fn: 'CreateAsset', args: ['a1', 'blue', '5', 'Tomoko', '300'] }, slow));
    expect(created.validationCode).toBe('VALID');
    const read = result<{ result: string }>(await c.request('invoke', { workspace: 'deployed', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['a1'] }, slow));
    expect(JSON.parse(read.result)).toMatchObject({ ID: 'a1', Owner: 'Tomoko' });
    const sandboxPods = () => kubectl('-n', 'chaincode-studio', 'get', 'pods', '-l', 'app.kubernetes.io/managed-by=chaincode-studio', '-o', 'name').trim();
    expect(sandboxPods()).not.toBe('');
    result(await c.request('workspace/delete', { workspace: 'deployed' }, slow));
    expect(sandboxPods()).toBe('');
  });
});
