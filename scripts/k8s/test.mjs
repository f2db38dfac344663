// `npm run test:k8s`: builds the test cluster's parts (cached), builds the
// sandbox image (cached), starts the single-node cluster with that image
// imported, runs the Kubernetes sandbox suite (tests/k8s) against it, and tears
// everything down, checking that nothing is left, also when a test fails or
// the run is interrupted (Ctrl-C, a CI timeout's SIGTERM). Prints each phase's
// time. A fresh machine: setup installs the Debian packages the cluster needs
// first; the first build of its binaries takes about 17 CPU-minutes.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { setup } from '../setup.mjs';
import { bin, kubeconfig, nodeAddress, ports, root, run } from './cluster.mjs';
import { kubectl, startCluster } from './start.mjs';
import { leftovers, stopCluster } from './stop.mjs';

// npm test has run setup already (STUDIO_SETUP_DONE); on its own, this run brings the machine up first.
if (process.env.STUDIO_SETUP_DONE !== '1') await setup({ k8s: true });

// An interrupt ends the tests (vitest gets it too); the teardown below still runs. A second one ends this at once.
let interrupted = false;
let vitestChild;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    vitestChild?.kill(signal);
    console.error(`\n${signal}: tearing the cluster down (again to quit at once; then run node scripts/k8s/stop.mjs)`);
  });
}

const namespace = 'ccs-k8s-test';
const timings = {};
const phase = async (name, fn) => {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings[name] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  }
};

const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const image = await phase('sandbox image', () => {
  const result = spawnSync(tsx, ['-e', "import('./server/sandbox/image/buildImage.ts').then(async (m) => { const { createDocker } = await import('./server/sandbox/docker.ts'); console.log((await m.ensureSandboxImage(createDocker())).tag); })"], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tag = result.stdout.trim().split('\n').pop();
  if (result.status !== 0 || !tag) throw new Error('building the sandbox image failed');
  return tag;
});

// The server image for the deployed-server test, built on the sandbox image from this checkout.
const serverImage = await phase('server image', () => {
  if (!existsSync(path.join(root, 'dist', 'client'))) run(path.join(root, 'node_modules', '.bin', 'vite'), ['build'], { cwd: root, stdio: 'inherit' });
  const tag = `chaincode-studio-server:${image.split(':')[1]}`;
  run('docker', ['build', '-q', '-f', path.join(root, 'deploy', 'kubernetes', 'server.Dockerfile'), '--build-arg', `SANDBOX_IMAGE=${image}`, '-t', tag, root]);
  return tag;
});

let ok = false;
try {
  const cluster = await phase('cluster build + start', () => startCluster([image, serverImage]));
  if (interrupted) throw new Error('interrupted');
  Object.assign(timings, { 'cluster detail': JSON.stringify(cluster) });
  kubectl(['create', 'namespace', namespace]);
  ok = await phase('k8s tests', async () => {
    const vitest = path.join(root, 'node_modules', '.bin', 'vitest');
    const child = spawn(vitest, ['run', '--project', 'k8s', ...process.argv.slice(2)], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        STUDIO_K8S_NAMESPACE: namespace,
        STUDIO_K8S_IMAGE: image,
        STUDIO_K8S_KUBECTL: bin('kubectl'),
        STUDIO_K8S_SERVER_IMAGE: serverImage,
        STUDIO_K8S_API_HOST: nodeAddress(),
        STUDIO_K8S_API_PORT: String(ports.apiserver),
      },
    });
    vitestChild = child;
    const code = await new Promise((resolve) => {
      child.on('close', resolve);
      child.on('error', () => resolve(1));
    });
    vitestChild = undefined;
    return code === 0 && !interrupted;
  });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
} finally {
  await phase('teardown', () => stopCluster({ keepLogs: !ok }));
}
const left = leftovers();
if (left.length > 0) {
  ok = false;
  console.error(`left behind:\n  ${left.join('\n  ')}`);
}
console.log(`\ntest:k8s ${ok ? 'passed' : 'FAILED'}; ${Object.entries(timings).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
process.exit(ok ? 0 : 1);
