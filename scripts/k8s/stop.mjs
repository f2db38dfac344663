// Stops the test cluster and leaves nothing behind: its pods (so the CNI
// plugins remove their interfaces and rules), the kubelet, containerd's tasks
// and shims, every process it started, the mounts under its state dir, its
// bridge, the iptables chains and ipsets of kube-router, the CNI firewall
// plugin and the kubelet (KUBE-*, CNI-*; Docker's chains are never touched),
// the kubepods cgroups and the state dir. Run: node scripts/k8s/stop.mjs
import { existsSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, bridgeName, containerdSocket, kubeconfig, logDir, podCidr, readPids, run, runDir, sleep } from './cluster.mjs';

const alive = (pid) => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function end(pid, graceMs = 10_000) {
  // Only a real process id: 0 and negative ids name whole process groups.
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
    while (alive(pid)) await sleep(50);
  }
}

/** Processes whose command line names our containerd socket: its shims (they outlive containerd). */
function shimPids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('containerd-shim-runc-v2') && cmdline.includes(containerdSocket)) pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

function deletePods() {
  if (!existsSync(kubeconfig) || !existsSync(bin('kubectl'))) return;
  const kubectl = (args) => run(bin('kubectl'), ['--kubeconfig', kubeconfig, '--request-timeout=10s', ...args], { allowFailure: true });
  // Controllers first, or they make new pods while the old ones go.
  kubectl(['delete', 'deployments,replicasets,statefulsets,daemonsets,jobs', '--all', '--all-namespaces', '--wait=false']);
  kubectl(['delete', 'pods', '--all', '--all-namespaces', '--grace-period=1', '--wait=true', '--timeout=60s']);
}

function unmountUnder(dir) {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((target) => target !== undefined && (target === dir || target.startsWith(`${dir}/`)));
  // Deepest first.
  for (const target of mounts.sort((a, b) => b.length - a.length)) run('umount', ['-l', target], { allowFailure: true });
}

/** The words of an `iptables -S` line, quoted comments kept whole. */
const ruleArgs = (rule) => (rule.match(/"[^"]*"|\S+/g) ?? []).map((word) => word.replace(/^"(.*)"$/, '$1'));

const ourChain = (name) => /^(KUBE-|CNI-)/.test(name);

/** Removes KUBE-* and CNI-* chains (kube-router, the CNI firewall plugin, the kubelet's canaries) from every table. */
function removeChains() {
  for (const command of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat', 'mangle', 'raw']) {
      const rules = run(command, ['-w', '-t', table, '-S'], { allowFailure: true }).split('\n');
      const chains = rules.filter((r) => r.startsWith('-N ')).map((r) => r.split(' ')[1] ?? '').filter(ourChain);
      if (chains.length === 0) continue;
      // Jumps into our chains from the built-in (and Docker's) chains.
      for (const rule of rules) {
        const jump = / -j (\S+)/.exec(rule)?.[1];
        const chain = rule.split(' ')[1] ?? '';
        if (rule.startsWith('-A ') && jump && ourChain(jump) && !ourChain(chain)) run(command, ['-w', '-t', table, '-D', ...ruleArgs(rule).slice(1)], { allowFailure: true });
      }
      for (const chain of chains) run(command, ['-w', '-t', table, '-F', chain], { allowFailure: true });
      for (const chain of chains) run(command, ['-w', '-t', table, '-X', chain], { allowFailure: true });
    }
  }
  const sets = run('ipset', ['list', '-n'], { allowFailure: true }).split('\n').filter((s) => /^(inet6:)?KUBE-/.test(s));
  for (const set of sets) run('ipset', ['destroy', set], { allowFailure: true });
}

function removeInterfaces() {
  const links = run('ip', ['-o', 'link', 'show', 'master', bridgeName], { allowFailure: true });
  for (const line of links.split('\n')) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (name) run('ip', ['link', 'delete', name], { allowFailure: true });
  }
  run('ip', ['link', 'delete', bridgeName], { allowFailure: true });
  // containerd names its pod network namespaces cni-<uuid>; nothing else on these machines makes them.
  for (const ns of run('ip', ['netns', 'list'], { allowFailure: true }).split('\n')) {
    const name = ns.split(' ')[0];
    if (name?.startsWith('cni-')) run('ip', ['netns', 'delete', name], { allowFailure: true });
  }
}

function removeDirTree(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const child = path.join(dir, entry);
    try {
      if (statSync(child).isDirectory()) removeDirTree(child);
    } catch {
      // Gone meanwhile.
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // A cgroup with processes left stays; reported by leftovers().
  }
}

function removeCgroups() {
  for (const controller of readdirSync('/sys/fs/cgroup')) removeDirTree(path.join('/sys/fs/cgroup', controller, 'kubepods'));
}

/** The CNI result cache (libcni's, under /var/lib/cni) and runc's state dir for containerd's k8s.io namespace: ours alone on these machines. */
function removeRuntimeState() {
  const results = '/var/lib/cni/results';
  // Our network's results and containerd's loopback network's (a pod whose sandbox was killed, not stopped).
  if (existsSync(results)) for (const entry of readdirSync(results)) if (entry.startsWith('ccs-k8s-') || entry.startsWith('cni-loopback-')) rmSync(path.join(results, entry), { force: true });
  for (const dir of [results, '/var/lib/cni', '/run/containerd/runc/k8s.io', '/run/containerd/runc']) {
    try {
      rmdirSync(dir);
    } catch {
      // Not empty (someone else's) or already gone.
    }
  }
}

function removeLogLinks() {
  const dir = '/var/log/containers';
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    try {
      if (readlinkSync(path.join(dir, entry)).startsWith(runDir)) rmSync(path.join(dir, entry), { force: true });
    } catch {
      // Not a link.
    }
  }
}

/** What is still there after a stop: an empty list when the machine is as before the start. */
export function leftovers() {
  const found = [];
  for (const [name, pid] of Object.entries(readPids())) if (alive(pid)) found.push(`process ${name} (${pid})`);
  for (const pid of shimPids()) found.push(`containerd shim ${pid}`);
  if (readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${runDir}/`)) found.push(`mounts under ${runDir}`);
  if (run('ip', ['link', 'show', bridgeName], { allowFailure: true }).includes(bridgeName)) found.push(`interface ${bridgeName}`);
  for (const command of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat', 'mangle', 'raw']) {
      const rules = run(command, ['-w', '-t', table, '-S'], { allowFailure: true }).split('\n');
      for (const r of rules) if (/(KUBE-|CNI-)/.test(r) || r.includes(podCidr.split('/')[0] ?? podCidr)) found.push(`${command} -t ${table}: ${r}`);
    }
  }
  for (const s of run('ipset', ['list', '-n'], { allowFailure: true }).split('\n')) if (/^(inet6:)?KUBE-/.test(s)) found.push(`ipset ${s}`);
  for (const controller of readdirSync('/sys/fs/cgroup')) if (existsSync(path.join('/sys/fs/cgroup', controller, 'kubepods'))) found.push(`cgroup ${controller}/kubepods`);
  if (existsSync(runDir)) found.push(`dir ${runDir}`);
  for (const dir of ['/run/containerd/runc/k8s.io', '/var/lib/cni/results']) if (existsSync(dir) && readdirSync(dir).length > 0) found.push(`state in ${dir}`);
  for (const ns of run('ip', ['netns', 'list'], { allowFailure: true }).split('\n')) if (ns.startsWith('cni-')) found.push(`netns ${ns.split(' ')[0]}`);
  return found;
}

export async function stopCluster({ keepLogs = false } = {}) {
  const pids = readPids();
  if (pids['kube-router']) await end(pids['kube-router']);
  if (pids.kubelet && alive(pids.kubelet)) deletePods();
  await end(pids.kubelet);
  if (existsSync(containerdSocket)) {
    const ctr = (args) => run('ctr', ['--address', containerdSocket, '-n', 'k8s.io', '--timeout', '10s', ...args], { allowFailure: true });
    for (const task of ctr(['tasks', 'list', '-q']).split('\n').filter(Boolean)) {
      ctr(['tasks', 'kill', '-s', 'SIGKILL', task]);
      ctr(['tasks', 'delete', '-f', task]);
    }
  }
  for (const name of ['kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'containerd', 'etcd']) await end(pids[name]);
  for (const pid of shimPids()) await end(pid, 2000);
  removeChains();
  removeInterfaces();
  unmountUnder(runDir);
  removeCgroups();
  removeRuntimeState();
  removeLogLinks();
  if (keepLogs && existsSync(logDir)) run('cp', ['-r', logDir, `${runDir}-logs`], { allowFailure: true });
  rmSync(runDir, { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await stopCluster({ keepLogs: process.argv.includes('--keep-logs') });
  const left = leftovers();
  if (left.length > 0) {
    console.error(`left behind:\n  ${left.join('\n  ')}`);
    process.exit(1);
  }
  console.log('k8s cluster stopped; nothing left behind');
}
