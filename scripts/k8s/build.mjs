// Builds the test cluster's parts once and caches them under STUDIO_CACHE_DIR:
// the Kubernetes commands from k8s.io/kubernetes (k8s/cluster/kubernetes, with
// the version set through -ldflags so they do not report v0.0.0-master),
// kube-router (k8s/cluster/kube-router) and the pause binary (gcc -static from
// the kubernetes module's own pause.c). Run: node scripts/k8s/build.mjs
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, binDir, cacheDir, kubeRouterBin, kubeRouterVersion, kubernetesCommands, kubernetesModuleDir, kubernetesVersion, root, run } from './cluster.mjs';

export const pauseBin = path.join(cacheDir, 'k8s', `pause-${kubernetesVersion}`, 'pause');

function goBuild(moduleDir, outDir, packages, ldflags) {
  const tmp = `${outDir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run('go', ['build', '-trimpath', '-ldflags', ['-s', '-w', ...ldflags].join(' '), '-o', `${tmp}/`, ...packages], {
    cwd: moduleDir,
    stdio: 'inherit',
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
}

export function buildKubernetes() {
  if (kubernetesCommands.every((name) => existsSync(bin(name)))) return false;
  const v = 'k8s.io/component-base/version';
  const [major, minor] = kubernetesVersion.slice(1).split('.');
  const ldflags = [
    `-X ${v}.gitVersion=${kubernetesVersion}`,
    `-X ${v}.gitMajor=${major}`,
    `-X ${v}.gitMinor=${minor}`,
    `-X ${v}.gitTreeState=clean`,
    `-X k8s.io/client-go/pkg/version.gitVersion=${kubernetesVersion}`,
  ];
  goBuild(path.join(root, 'k8s', 'cluster', 'kubernetes'), binDir, kubernetesCommands.map((c) => `k8s.io/kubernetes/cmd/${c}`), ldflags);
  return true;
}

export function buildKubeRouter() {
  if (existsSync(kubeRouterBin)) return false;
  const v = 'github.com/cloudnativelabs/kube-router/v2/pkg/version';
  goBuild(path.join(root, 'k8s', 'cluster', 'kube-router'), path.dirname(kubeRouterBin), ['github.com/cloudnativelabs/kube-router/v2/cmd/kube-router'], [`-X ${v}.Version=${kubeRouterVersion}`]);
  return true;
}

export function buildPause() {
  if (existsSync(pauseBin)) return false;
  mkdirSync(path.dirname(pauseBin), { recursive: true });
  const source = path.join(kubernetesModuleDir(), 'build', 'pause', 'linux', 'pause.c');
  run('gcc', ['-Os', '-Wall', '-Werror', '-static', `-DVERSION=${kubernetesVersion}-ccs`, '-o', `${pauseBin}.tmp`, source]);
  renameSync(`${pauseBin}.tmp`, pauseBin);
  return true;
}

/** Builds whatever is not cached yet; returns the seconds each step took. */
export function buildCluster() {
  const timings = {};
  for (const [name, step] of [
    ['kubernetes', buildKubernetes],
    ['kube-router', buildKubeRouter],
    ['pause', buildPause],
  ]) {
    const started = Date.now();
    const built = step();
    timings[name] = built ? `${((Date.now() - started) / 1000).toFixed(0)} s` : 'cached';
  }
  return timings;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const timings = buildCluster();
  console.log(`k8s cluster parts: ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
