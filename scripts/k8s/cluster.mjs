// The single-node test cluster's layout: where its binaries are cached, where
// it keeps its state while it runs, its ports, names and address ranges.
// Shared by build.mjs, start.mjs, stop.mjs and test.mjs. The machine is shared
// with Docker sandboxes, so nothing here may take a Docker name, port or range.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheDir = process.env.STUDIO_CACHE_DIR ?? path.join(root, '.cache');

export const kubernetesVersion = 'v1.34.4';
export const kubeRouterVersion = 'v2.1.0';
/** The commands built from k8s/cluster/kubernetes (kubectl too: Debian's is far older than the API server). */
export const kubernetesCommands = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kubectl'];
export const binDir = path.join(cacheDir, 'k8s', `kubernetes-${kubernetesVersion}`);
export const kubeRouterBin = path.join(cacheDir, 'k8s', `kube-router-${kubeRouterVersion}`, 'kube-router');
export const bin = (name) => path.join(binDir, name);

/** The running cluster's state: certificates, etcd data, containerd's root and state, kubelet's root, logs. */
export const runDir = process.env.STUDIO_K8S_DIR ?? path.join(os.tmpdir(), 'ccs-k8s');
export const kubeconfig = path.join(runDir, 'admin.kubeconfig');
export const containerdSocket = path.join(runDir, 'containerd', 'containerd.sock');
export const containerdRoot = path.join(runDir, 'containerd', 'root');
export const containerdState = path.join(runDir, 'containerd', 'state');
export const kubeletRoot = path.join(runDir, 'kubelet');
export const cniConfDir = path.join(runDir, 'cni', 'net.d');
export const cniStateDir = path.join(runDir, 'cni', 'state');
export const cniBinDir = '/usr/lib/cni';
export const logDir = path.join(runDir, 'logs');
export const pidFile = path.join(runDir, 'pids.json');

export const nodeName = 'ccs-k8s-node';
/** Not Docker's ccs- sandbox bridges (its host firewall rule matches `ccs-+`), not docker0. */
export const bridgeName = 'ccsk8s0';
/** Pod and service ranges outside Docker's default pools (172.17-31/16, 192.168/16). */
export const clusterCidr = '10.213.0.0/16';
export const podCidr = '10.213.0.0/24';
export const serviceCidr = '10.214.0.0/24';
export const serviceApiAddress = '10.214.0.1';

export const ports = {
  etcdClient: 23790,
  etcdPeer: 23800,
  apiserver: 16443,
  controllerManager: 20257,
  scheduler: 20259,
  kubelet: 20250,
  kubeletHealthz: 20248,
  kubeRouterHealth: 20244,
  kubeRouterMetrics: 20245,
};

/** The pause image, built here from the kubernetes module's own build/pause/linux/pause.c. */
export const pauseImage = 'docker.io/chaincode-studio/k8s-pause:v1.34.4';

/** Runs a command, returning its stdout; throws with its stderr when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${(result.stderr ?? '').trim()}`);
  }
  return result.stdout ?? '';
}

/** The address of the host's default-route interface: what the API server advertises and the kubelet reports. */
export function nodeAddress() {
  const dev = /\bdev (\S+)/.exec(run('ip', ['-4', '-o', 'route', 'show', 'default']))?.[1];
  const addr = dev ? /\binet (\d+\.\d+\.\d+\.\d+)/.exec(run('ip', ['-4', '-o', 'addr', 'show', 'dev', dev]))?.[1] : undefined;
  if (!addr) throw new Error("Cannot find this host's address (no IPv4 default route, or no address on its interface)");
  return addr;
}

/** The module cache directory of k8s.io/kubernetes (pause.c lives there). */
export function kubernetesModuleDir() {
  const dir = run('go', ['list', '-m', '-f', '{{.Dir}}', 'k8s.io/kubernetes'], { cwd: path.join(root, 'k8s', 'cluster', 'kubernetes') }).trim();
  if (!existsSync(dir)) throw new Error(`k8s.io/kubernetes is not in the Go module cache (${dir})`);
  return dir;
}

export function readPids() {
  try {
    return JSON.parse(readFileSync(pidFile, 'utf8'));
  } catch {
    return {};
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
