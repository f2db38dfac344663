/**
 * A second Docker daemon that a test owns and may kill: its own data root,
 * exec root, socket and managed containerd, and no iptables rules, bridge or
 * sysctls of its own, so the host's main daemon (and whatever runs on it)
 * never notices. Used by the fault test in which Docker itself dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, openSync, closeSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { bridgePrefix } from '../../server/config.ts';

const exec = promisify(execFile);

/** How long a (re)started daemon may take to answer its socket. */
const daemonReadyTimeoutMs = 60_000;
/** How long a SIGKILL'd process may take to be gone. */
const processExitTimeoutMs = 5000;
/** How long a SIGTERM'd daemon may take to stop its containers and exit. */
const daemonStopTimeoutMs = 30_000;

export interface PrivateDockerdOptions {
  /**
   * Where the daemon takes its networks' subnets from, e.g. `10.231.0.0/16`; must not
   * overlap the main daemon's pools, since neither daemon knows the other's networks.
   */
  readonly addressPool: string;
  /** Address (CIDR) of the daemon's own default bridge; outside `addressPool`. Default 10.232.255.1/24. */
  readonly defaultBridgeAddress?: string;
}

export interface PrivateDockerd {
  /** The directory holding the daemon's data root, exec root, socket and log. */
  readonly dir: string;
  readonly socketPath: string;
  /** A dockerode client on the private daemon's socket. */
  readonly docker: Docker;
  /** The daemon's own log (for a failing test's message). */
  log(): Promise<string>;
  /** Starts the daemon again on the same data root and waits until it answers. */
  start(): Promise<void>;
  /**
   * Kills the daemon with SIGKILL, and its containerd if that outlives it, as a crash
   * would; the containers' shims are left running. Returns the pids it killed.
   */
  kill(): Promise<{ dockerdPid: number; containerdPid: number | undefined }>;
  /** Copies an image from `from` (the main daemon) into this daemon. */
  loadImage(from: Docker, tag: string): Promise<void>;
  /**
   * Removes what is left on the daemon, stops it, and removes its directory, its
   * mounts, and any bridge it left on the host. Safe to call after a failed test.
   */
  dispose(): Promise<void>;
}

/** True while `pid` runs; a zombie (a dead daemon nobody reaped yet) is not running. */
export async function isRunning(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // The state follows the command name, which is in parentheses and may hold spaces.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== '' && state !== 'Z' && state !== 'X';
}

/** Pids of the processes whose command line contains `needle` (the shims of this daemon's containers). */
async function pidsWith(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.replaceAll('\0', ' ').includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

/** Starts a private dockerd and waits until it answers. */
export async function startPrivateDockerd(options: PrivateDockerdOptions): Promise<PrivateDockerd> {
  // Short: containerd's socket lives under the exec root and a socket path has at most 107 bytes.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-dd-'));
  const socketPath = path.join(dir, 'docker.sock');
  const execRoot = path.join(dir, 'exec');
  const logPath = path.join(dir, 'dockerd.log');
  const configPath = path.join(dir, 'daemon.json');
  // An empty config, so /etc/docker/daemon.json (the main daemon's) is never read.
  await fs.writeFile(configPath, '{}\n');
  const docker = new Docker({ socketPath });
  const bridges = new Set<string>();
  let child: ChildProcess | undefined;
  // The daemon's own default bridge. With `--bridge=none` dockerd deletes the host's
  // docker0 (its "no default bridge" clean-up), which breaks the main daemon.
  const defaultBridge = `${bridgePrefix}pd${randomBytes(3).toString('hex')}`;
  await exec('ip', ['link', 'add', defaultBridge, 'type', 'bridge']);
  await exec('ip', ['addr', 'add', options.defaultBridgeAddress ?? '10.232.255.1/24', 'dev', defaultBridge]);
  bridges.add(defaultBridge);

  const args = [
    `--config-file=${configPath}`,
    `--data-root=${path.join(dir, 'data')}`,
    `--exec-root=${execRoot}`,
    `--pidfile=${path.join(dir, 'dockerd.pid')}`,
    `--host=unix://${socketPath}`,
    // Leave the host's firewall, forwarding and docker0 to the main daemon: with iptables on,
    // a starting daemon rebuilds the DOCKER chains both daemons would share.
    `--bridge=${defaultBridge}`,
    '--iptables=false',
    '--ip-forward=false',
    '--ip-masq=false',
    '--userland-proxy=false',
    `--default-address-pool=base=${options.addressPool},size=24`,
  ];

  async function waitReady(started: ChildProcess): Promise<void> {
    const deadline = Date.now() + daemonReadyTimeoutMs;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(`the private dockerd exited (${started.exitCode ?? started.signalCode}):\n${await log()}`);
      }
      try {
        await docker.ping();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`the private dockerd did not answer within ${daemonReadyTimeoutMs} ms:\n${await log()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async function log(): Promise<string> {
    return (await fs.readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-40).join('\n');
  }

  async function start(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) throw new Error('the private dockerd is already running');
    const out = openSync(logPath, 'a');
    try {
      child = spawn('dockerd', args, { stdio: ['ignore', out, out], detached: true });
    } finally {
      closeSync(out);
    }
    const started = child;
    await new Promise<void>((resolve, reject) => {
      started.once('spawn', resolve);
      started.once('error', reject);
    });
    await waitReady(started);
    await restoreHostBridge();
  }

  /**
   * A restarting dockerd clears the stale default network of its previous run,
   * and that clean-up deletes the host's `docker0` by name, which the main
   * daemon's builds and default containers need. We put it back as it was
   * (same name, addresses, up); the main daemon refers to it only by name.
   */
  const hostBridge = await exec('ip', ['-j', 'addr', 'show', 'docker0']).then(
    ({ stdout }) => (JSON.parse(stdout) as { addr_info?: { family: string; local: string; prefixlen: number }[] }[])[0]?.addr_info ?? [],
    () => undefined,
  );
  async function restoreHostBridge(): Promise<void> {
    if (hostBridge === undefined) return;
    const present = await exec('ip', ['link', 'show', 'docker0']).then(
      () => true,
      () => false,
    );
    if (present) return;
    await exec('ip', ['link', 'add', 'docker0', 'type', 'bridge']);
    for (const a of hostBridge) await exec('ip', ['addr', 'add', `${a.local}/${a.prefixlen}`, 'dev', 'docker0']).catch(() => undefined);
    await exec('ip', ['link', 'set', 'docker0', 'up']);
  }

  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => c.once('exit', () => resolve()));

  async function containerdPid(): Promise<number | undefined> {
    const text = await fs.readFile(path.join(execRoot, 'containerd', 'containerd.pid'), 'utf8').catch(() => '');
    const pid = Number(text.trim());
    return pid > 0 ? pid : undefined;
  }

  /** Notes the host bridge of every network, so dispose() can remove one a crash left behind. */
  async function noteBridges(): Promise<void> {
    const networks = await docker.listNetworks().catch(() => []);
    for (const n of networks) {
      const name = n.Options?.['com.docker.network.bridge.name'];
      // Only our sandbox bridges: never the host's docker0 or another daemon's interfaces.
      if (name?.startsWith(bridgePrefix)) bridges.add(name);
    }
  }

  await start();

  return {
    dir,
    socketPath,
    docker,
    log,
    start,

    async kill() {
      const c = child;
      if (!c?.pid) throw new Error('the private dockerd is not running');
      await noteBridges();
      const ctrPid = await containerdPid();
      process.kill(c.pid, 'SIGKILL');
      await exited(c);
      // dockerd gives its containerd a parent-death signal; kill it too if it did not take.
      if (ctrPid !== undefined) {
        if (await isRunning(ctrPid)) process.kill(ctrPid, 'SIGKILL');
        const deadline = Date.now() + processExitTimeoutMs;
        while (await isRunning(ctrPid)) {
          if (Date.now() > deadline) throw new Error(`the private containerd (pid ${ctrPid}) outlived SIGKILL`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      // This host's init reaps orphans late, and a starting dockerd takes containerd's zombie for a live
      // containerd and waits for it in vain; under an init that reaps at once (systemd) the stale pid
      // names no process, and dockerd starts a new containerd, as it does without the file.
      if (ctrPid !== undefined) await fs.rm(path.join(execRoot, 'containerd', 'containerd.pid'), { force: true });
      return { dockerdPid: c.pid, containerdPid: ctrPid };
    },

    async loadImage(from, tag) {
      const tar = await from.getImage(tag).get();
      const progress = await docker.loadImage(tar);
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(progress, (err: Error | null, events: { error?: string }[]) => {
          const failed = events.find((e) => e.error);
          if (err || failed) reject(err ?? new Error(failed?.error));
          else resolve();
        });
      });
    },

    async dispose() {
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        // A daemon that was killed cleans up its containers' state when it starts again.
        await start().catch(() => undefined);
      }
      await noteBridges();
      for (const c of await docker.listContainers({ all: true }).catch(() => [])) {
        await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
      }
      for (const n of await docker.listNetworks().catch(() => [])) {
        if (!['bridge', 'host', 'none'].includes(n.Name)) await docker.getNetwork(n.Id).remove().catch(() => undefined);
      }
      const running = child;
      if (running?.pid && running.exitCode === null && running.signalCode === null) {
        process.kill(running.pid, 'SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), daemonStopTimeoutMs);
        await exited(running);
        clearTimeout(timer);
      }
      const ctrPid = await containerdPid();
      if (ctrPid !== undefined && (await pidsWith(path.join(execRoot, 'containerd'))).includes(ctrPid) && (await isRunning(ctrPid))) process.kill(ctrPid, 'SIGKILL');
      for (const pid of await pidsWith(`-address ${path.join(execRoot, 'containerd', 'containerd.sock')}`)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // It exited meanwhile.
        }
      }
      for (const bridge of bridges) await exec('ip', ['link', 'delete', bridge]).catch(() => undefined);
      // dockerd leaves its data root bind-mounted on itself (once per start); unmount the deepest first.
      for (;;) {
        const mounts = (await fs.readFile('/proc/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m === dir || m.startsWith(`${dir}/`));
        const deepest = mounts.sort((a, b) => b.length - a.length)[0];
        if (!deepest) break;
        await exec('umount', ['-l', deepest]);
      }
      await fs.rm(dir, { recursive: true, force: true });
      await restoreHostBridge();
    },
  };
}
