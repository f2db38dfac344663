// Brings a fresh machine to the point where Chaincode Studio runs: npm
// packages, host tools (Docker, debootstrap, iptables; Chromium for tests; the
// test cluster's etcd, containerd, CNI plugins and the like for test:k8s), a
// running Docker daemon, the sandbox image and the built client. Every step is
// skipped when already done, and says what it does when it is not.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterPackages } from './k8s/debianPackages.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = process.env.STUDIO_CACHE_DIR ?? path.join(root, '.cache');

const step = (text) => console.log(`\n▶ ${text}`);
const fail = (text) => {
  console.error(`\n✖ ${text}`);
  process.exit(1);
};

/** Runs a command with its output shown; exits with a clear message if it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) fail(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old: Chaincode Studio needs Node 20.19 or newer.`);
}

function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of files) if (existsSync(file)) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

function ensureNpmPackages() {
  const stamp = path.join(root, 'node_modules', '.studio-lock-hash');
  const want = hashFiles([path.join(root, 'package-lock.json')]);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  step('Installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, want);
}

/** Installs Debian packages with apt-get (as root on Debian), or stops saying what to install. */
function aptInstall(packages, missing) {
  if (packages.length === 0) return;
  const isDebian = existsSync('/etc/debian_version');
  if (!isDebian || process.getuid?.() !== 0) {
    fail(`Missing: ${missing.join(', ')}. Install ${packages.join(' ')} (as root on Debian: apt-get install ${packages.join(' ')}) and try again.`);
  }
  step(`Installing ${packages.join(', ')} with apt-get`);
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function ensureHostPackages({ browser, k8s }) {
  const needed = [
    ['dockerd', 'docker.io'],
    ['debootstrap', 'debootstrap'],
    ['iptables', 'iptables'],
    ['tar', 'tar'],
    ...(browser ? [['chromium', 'chromium']] : []),
  ].filter(([command]) => !has(command));
  if (!has('go')) fail('Go is needed to build the Fabric binaries from the pinned module (sandbox/fabric/go.mod). Install Go 1.21 or newer and try again.');
  // The test cluster's parts from Debian (etcd, containerd, CNI plugins, ipset, ...), known by a file each installs.
  const cluster = k8s ? clusterPackages.filter(([, file]) => !existsSync(file)) : [];
  const packages = [...new Set([...needed.map(([, pkg]) => pkg), ...cluster.map(([pkg]) => pkg)])];
  aptInstall(packages, [...needed.map(([command]) => command), ...cluster.map(([, file]) => file)]);
}

function dockerAnswers() {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

async function ensureDockerDaemon() {
  if (dockerAnswers()) return;
  if (process.getuid?.() !== 0) fail('The Docker daemon is not running. Start it (e.g. `sudo dockerd &` or `sudo systemctl start docker`) and try again.');
  step('Starting the Docker daemon (dockerd)');
  mkdirSync(cacheDir, { recursive: true });
  const log = openSync(path.join(cacheDir, 'dockerd.log'), 'a');
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const deadline = Date.now() + 60_000;
  while (!dockerAnswers()) {
    if (Date.now() > deadline) fail(`dockerd did not come up within 60 s; see ${path.join(cacheDir, 'dockerd.log')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log('  Docker is up.');
}

function ensureSandboxImage() {
  step('Checking the sandbox image (first build: Debian root filesystem, Fabric binaries and Delve from Go, about 3 minutes)');
  run(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'sandbox', 'image', 'build-cli.ts')]);
}

function ensureGoCaches() {
  step('Warming the Go module and build caches with the Go sample (first run: downloads its modules, about a minute)');
  run(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'golang', 'warm-cli.ts')]);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function ensureClient() {
  const index = path.join(root, 'dist', 'client', 'index.html');
  const inputs = Math.max(newestMtime(path.join(root, 'client')), newestMtime(path.join(root, 'protocol')), statSync(path.join(root, 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= inputs) return;
  step('Building the browser client (vite build)');
  run(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn']);
}

/**
 * Everything `npm start` needs; with `browser`, also what the browser tests
 * need; with `k8s`, also the Debian packages of the test cluster (its
 * Kubernetes binaries are built by scripts/k8s/build.mjs when it starts).
 */
export async function setup({ browser = false, k8s = false } = {}) {
  checkNode();
  ensureNpmPackages();
  ensureHostPackages({ browser, k8s });
  await ensureDockerDaemon();
  ensureSandboxImage();
  ensureGoCaches();
  ensureClient();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await setup({ browser: process.argv.includes('--browser'), k8s: process.argv.includes('--k8s') });
  console.log('\nSetup complete.');
}
