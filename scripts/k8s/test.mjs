// `npm run test:k8s`: builds the test cluster's parts (cached), builds the
// sandbox image (cached), starts the single-node cluster with that image
// imported, runs the Kubernetes sandbox suite (tests/k8s) against it, and tears
// everything down, checking that nothing is left. Prints each phase's time.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { bin, kubeconfig, nodeAddress, ports, root, run } from './cluster.mjs';
import { kubectl, startCluster } from './start.mjs';
import { leftovers, stopCluster } from './stop.mjs';

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
  Object.assign(timings, { 'cluster detail': JSON.stringify(cluster) });
  kubectl(['create', 'namespace', namespace]);
  ok = await phase('k8s tests', () => {
    const vitest = path.join(root, 'node_modules', '.bin', 'vitest');
    const result = spawnSync(vitest, ['run', '--project', 'k8s', ...process.argv.slice(2)], {
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
    return result.status === 0;
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
