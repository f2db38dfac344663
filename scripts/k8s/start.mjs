// Starts the single-node test cluster as host processes: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, a private containerd (own root,
// state and socket; CRI on), the kubelet, and kube-router enforcing
// NetworkPolicy only. Pods get addresses from Debian's CNI bridge and
// host-local plugins on their own bridge. Imports the pause image and the
// images named on the command line (from Docker) into containerd.
// Run: node scripts/k8s/start.mjs [docker-image ...]; stop with stop.mjs.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCluster, pauseBin } from './build.mjs';
import { makeCertificates, pki } from './certs.mjs';
import { clusterPackages } from './debianPackages.mjs';
import {
  bin,
  bridgeName,
  cniBinDir,
  cniConfDir,
  cniStateDir,
  clusterCidr,
  containerdRoot,
  containerdSocket,
  containerdState,
  kubeRouterBin,
  kubeconfig,
  kubeletRoot,
  kubernetesVersion,
  logDir,
  nodeAddress,
  nodeName,
  pauseImage,
  pidFile,
  podCidr,
  ports,
  readPids,
  run,
  runDir,
  serviceCidr,
  sleep,
} from './cluster.mjs';
import { stopCluster } from './stop.mjs';

const etcdBin = '/usr/bin/etcd';

export function startProcess(name, command, args, env = {}) {
  const log = openSync(path.join(logDir, `${name}.log`), 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  closeSync(log);
  child.unref();
  const pids = readPids();
  pids[name] = child.pid;
  writeFileSync(pidFile, JSON.stringify(pids, null, 2));
  return child;
}

async function waitFor(what, check, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs / 1000} s${last ? `: ${last}` : ''} (logs in ${logDir})`);
    await sleep(250);
  }
}

export const kubectl = (args, options = {}) => run(bin('kubectl'), ['--kubeconfig', kubeconfig, ...args], options);

export function writeContainerdConfig() {
  const file = path.join(runDir, 'containerd', 'config.toml');
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  writeFileSync(
    file,
    `version = 2
root = "${containerdRoot}"
state = "${containerdState}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${containerdSocket}"
[ttrpc]
  address = "${containerdSocket}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "${path.join(runDir, 'containerd', 'opt')}"

[${cri}]
  sandbox_image = "${pauseImage}"
  # Root here lacks CAP_SYS_RESOURCE: a negative oom_score_adj is refused and every pod sandbox fails to start.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.containerd.runtimes.runc.options]
        SystemdCgroup = false
  [${cri}.cni]
    bin_dir = "${cniBinDir}"
    conf_dir = "${cniConfDir}"
`,
  );
  return file;
}

export function writeCniConfig() {
  mkdirSync(cniConfDir, { recursive: true });
  writeFileSync(
    path.join(cniConfDir, '10-ccs-k8s.conflist'),
    JSON.stringify(
      {
        cniVersion: '0.4.0',
        name: 'ccs-k8s',
        plugins: [
          // No masquerade: pods have no way out of this host; NetworkPolicy decides what they reach on it.
          { type: 'bridge', bridge: bridgeName, isGateway: true, ipMasq: false, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet: podCidr }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: cniStateDir } },
          // Accepts pod traffic in FORWARD, whose policy Docker sets to DROP; kube-router's chain comes first.
          { type: 'firewall', backend: 'iptables' },
        ],
      },
      null,
      2,
    ),
  );
}

function writeKubeletConfig(address) {
  const file = path.join(runDir, 'kubelet.yaml');
  writeFileSync(
    file,
    JSON.stringify(
      {
        apiVersion: 'kubelet.config.k8s.io/v1beta1',
        kind: 'KubeletConfiguration',
        address,
        port: ports.kubelet,
        readOnlyPort: 0,
        healthzBindAddress: '127.0.0.1',
        healthzPort: ports.kubeletHealthz,
        tlsCertFile: pki('kubelet.crt'),
        tlsPrivateKeyFile: pki('kubelet.key'),
        authentication: { anonymous: { enabled: false }, webhook: { enabled: false }, x509: { clientCAFile: pki('ca.crt') } },
        authorization: { mode: 'Webhook' },
        containerRuntimeEndpoint: `unix://${containerdSocket}`,
        cgroupDriver: 'cgroupfs',
        failSwapOn: false,
        podLogsDir: path.join(runDir, 'pod-logs'),
        volumePluginDir: path.join(runDir, 'volume-plugins'),
        // The sandbox image is imported, never pulled: keep it whatever the disk holds.
        imageGCHighThresholdPercent: 100,
        imageGCLowThresholdPercent: 99,
        evictionHard: { 'memory.available': '50Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
        // The Docker sandbox's pids limit, here per pod (the kubelet sets it for every pod of the node).
        podPidsLimit: 512,
        makeIPTablesUtilChains: false,
        localStorageCapacityIsolation: true,
        resolvConf: '/etc/resolv.conf',
        staticPodPath: '',
        maxPods: 110,
      },
      null,
      2,
    ),
  );
  return file;
}

/** Imports `docker save` archives of the pause image (built here) and of `images` into containerd's k8s.io namespace. */
export function importImages(images) {
  const ctr = (args, options = {}) => run('ctr', ['--address', containerdSocket, '-n', 'k8s.io', ...args], options);
  const context = path.join(runDir, 'pause-image');
  mkdirSync(context, { recursive: true });
  run('cp', [pauseBin, path.join(context, 'pause')]);
  writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n');
  run('docker', ['build', '-q', '-t', pauseImage, context]);
  for (const image of [pauseImage, ...images]) {
    const archive = path.join(runDir, 'image.tar');
    run('docker', ['save', '-o', archive, image]);
    ctr(['images', 'import', archive]);
    run('rm', ['-f', archive]);
  }
}

export async function startCluster(images = []) {
  const missing = clusterPackages.filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
  if (missing.length > 0) throw new Error(`The test cluster needs Debian packages that are not installed: apt-get install ${missing.join(' ')}`);
  const timings = { build: await buildCluster() };
  const started = Date.now();
  if (existsSync(pidFile)) await stopCluster();
  for (const dir of [logDir, path.join(runDir, 'containerd'), kubeletRoot, cniStateDir, path.join(runDir, 'etcd')]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const address = nodeAddress();
  makeCertificates(address);
  writeCniConfig();
  writeFileSync(pidFile, '{}');

  startProcess('etcd', etcdBin, [
    '--name=ccs',
    `--data-dir=${path.join(runDir, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-cluster=ccs=http://127.0.0.1:${ports.etcdPeer}`,
    '--listen-metrics-urls=',
  ]);
  const containerdConfig = writeContainerdConfig();
  startProcess('containerd', '/usr/bin/containerd', ['--config', containerdConfig]);

  startProcess('kube-apiserver', bin('kube-apiserver'), [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    `--advertise-address=${address}`,
    '--bind-address=0.0.0.0',
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${pki('apiserver.crt')}`,
    `--tls-private-key-file=${pki('apiserver.key')}`,
    `--client-ca-file=${pki('ca.crt')}`,
    `--kubelet-client-certificate=${pki('admin.crt')}`,
    `--kubelet-client-key=${pki('admin.key')}`,
    `--kubelet-certificate-authority=${pki('ca.crt')}`,
    '--kubelet-preferred-address-types=InternalIP',
    `--service-account-key-file=${pki('sa.pub')}`,
    `--service-account-signing-key-file=${pki('sa.key')}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-cluster-ip-range=${serviceCidr}`,
    '--authorization-mode=Node,RBAC',
    '--profiling=false',
    `--cert-dir=${path.join(runDir, 'apiserver-certs')}`,
  ]);
  await waitFor('etcd and the API server', () => kubectl(['get', '--raw', '/readyz'], { allowFailure: false }).trim() === 'ok', 180_000);
  timings.apiserverReady = `${((Date.now() - started) / 1000).toFixed(1)} s`;

  startProcess('kube-controller-manager', bin('kube-controller-manager'), [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.controllerManager}`,
    `--cert-dir=${path.join(runDir, 'controller-manager-certs')}`,
    `--service-account-private-key-file=${pki('sa.key')}`,
    `--root-ca-file=${pki('ca.crt')}`,
    '--use-service-account-credentials=true',
    '--allocate-node-cidrs=true',
    `--cluster-cidr=${clusterCidr}`,
    '--node-cidr-mask-size=24',
    `--service-cluster-ip-range=${serviceCidr}`,
    '--leader-elect=false',
    '--profiling=false',
  ]);
  startProcess('kube-scheduler', bin('kube-scheduler'), [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.scheduler}`,
    `--cert-dir=${path.join(runDir, 'scheduler-certs')}`,
    '--leader-elect=false',
    '--profiling=false',
  ]);

  await waitFor('containerd', () => run('ctr', ['--address', containerdSocket, 'version'], { allowFailure: false }).includes('Server'), 60_000);
  importImages(images);
  timings.imagesImported = `${((Date.now() - started) / 1000).toFixed(1)} s`;

  startProcess('kubelet', bin('kubelet'), [
    `--config=${writeKubeletConfig(address)}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${kubeletRoot}`,
    `--cert-dir=${path.join(runDir, 'kubelet-certs')}`,
    `--hostname-override=${nodeName}`,
    `--node-ip=${address}`,
    '--v=1',
  ]);
  await waitFor('the node', () => kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.spec.podCIDR}']).trim() === `True ${podCidr}`, 120_000);

  startProcess('kube-router', kubeRouterBin, [
    `--kubeconfig=${kubeconfig}`,
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    '--enable-cni=false',
    `--hostname-override=${nodeName}`,
    `--health-port=${ports.kubeRouterHealth}`,
    `--service-cluster-ip-range=${serviceCidr}`,
  ]);
  await waitFor('kube-router', async () => (await fetch(`http://127.0.0.1:${ports.kubeRouterHealth}/healthz`)).ok, 60_000);
  timings.clusterReady = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  console.log(`k8s cluster ${kubernetesVersion} up (${JSON.stringify(timings)}); KUBECONFIG=${kubeconfig}`);
  return timings;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await startCluster(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stopCluster();
    process.exit(1);
  }
}
