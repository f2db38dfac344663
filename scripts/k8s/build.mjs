// Builds the test cluster's parts once and caches them under STUDIO_CACHE_DIR:
// the Kubernetes commands from k8s.io/kubernetes (k8s/cluster/kubernetes, with
// the version set through -ldflags so they do not report v0.0.0-master),
// kube-router (k8s/cluster/kube-router) and the pause binary (gcc -static from
// the kubernetes module's own pause.c). Run: node scripts/k8s/build.mjs
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, binDir, cacheDir, kubeRouterBin, kubeRouterVersion, kubernetesCommands, kubernetesModuleDir, kubernetesVersion, root, run } from './cluster.mjs';

export const pauseBin = path.join(cacheDir, 'k8s', `pause-${kubernetesVersion}`, 'pause');

/**
 * `go build -v` with a progress line every 30 s: how many packages it has
 * compiled of those the commands need (cache hits are not compiled, so a
 * rebuild ends early). GOCACHE and GOMODCACHE are left as they are, Go's
 * shared defaults unless the caller set them, so a machine that built once
 * rebuilds in a minute, whatever checkout or STUDIO_CACHE_DIR asks.
 */
async function goBuild(name, moduleDir, outDir, packages, ldflags) {
  const env = { ...process.env, CGO_ENABLED: '0' };
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  console.log(`  ${name}: downloading modules (first time only) and listing packages…`);
  run('go', ['mod', 'download'], { cwd: moduleDir, env });
  const total = run('go', ['list', '-deps', ...packages], { cwd: moduleDir, env }).split('\n').filter(Boolean).length;
  const gocache = run('go', ['env', 'GOCACHE'], { cwd: moduleDir, env }).trim();
  console.log(`  ${name}: building ${packages.length} command(s) of ${total} packages (GOCACHE ${gocache}; a first build takes minutes, a rebuild about one)`);
  const tmp = `${outDir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const args = ['build', '-v', '-trimpath', '-ldflags', ['-s', '-w', ...ldflags].join(' '), '-o', `${tmp}/`, ...packages];
  let compiled = 0;
  let errors = '';
  const ticker = setInterval(() => console.log(`  ${name}: ${compiled} of at most ${total} packages compiled (${elapsed()})`), 30_000);
  try {
    await new Promise((resolve, reject) => {
      const child = spawn('go', args, { cwd: moduleDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.resume();
      // -v names each package as it is compiled on stderr; anything else there is an error.
      createInterface({ input: child.stderr }).on('line', (line) => {
        if (/^[\w.\-~]+(\/[\w.\-~]+)*$/.test(line)) compiled += 1;
        else errors += `${line}\n`;
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`go ${args.join(' ')} failed (exit ${code}) in ${moduleDir}:\n${errors}`))));
    });
  } finally {
    clearInterval(ticker);
  }
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
  console.log(`  ${name}: built in ${elapsed()} (${compiled} packages compiled, the rest from GOCACHE)`);
}

export async function buildKubernetes() {
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
  await goBuild('kubernetes', path.join(root, 'k8s', 'cluster', 'kubernetes'), binDir, kubernetesCommands.map((c) => `k8s.io/kubernetes/cmd/${c}`), ldflags);
  return true;
}

export async function buildKubeRouter() {
  if (existsSync(kubeRouterBin)) return false;
  const v = 'github.com/cloudnativelabs/kube-router/v2/pkg/version';
  await goBuild('kube-router', path.join(root, 'k8s', 'cluster', 'kube-router'), path.dirname(kubeRouterBin), ['github.com/cloudnativelabs/kube-router/v2/cmd/kube-router'], [`-X ${v}.Version=${kubeRouterVersion}`]);
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
export async function buildCluster() {
  const timings = {};
  for (const [name, step] of [
    ['kubernetes', buildKubernetes],
    ['kube-router', buildKubeRouter],
    ['pause', buildPause],
  ]) {
    const started = Date.now();
    const built = await step();
    timings[name] = built ? `${((Date.now() - started) / 1000).toFixed(0)} s` : 'cached';
  }
  return timings;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const timings = await buildCluster();
  console.log(`k8s cluster parts: ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
