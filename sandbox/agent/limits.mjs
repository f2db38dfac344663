// @ts-check
// The container's limits (memory, processes, CPU, disk) and how often each was
// hit, read from its own cgroup (v1 or v2) and statfs, so that when user code
// runs into one the log names the limit instead of leaving a bare SIGKILL.
import { promises as fs } from 'node:fs';
import { diskFullRatio, limitPollMs, spinReportSeconds, spinShare } from './constants.mjs';

/**
 * @typedef {{ memoryBytes: number | null, pidsMax: number | null, cpuCores: number | null, oomKills: number, pidsRefused: number }} CgroupReading
 * @typedef {import('./logs.mjs').LogHub} LogHub
 */

/** @param {number} bytes */
const mb = (bytes) => Math.round(bytes / 1024 / 1024);

/**
 * @param {string} file
 * @returns {Promise<string | null>}
 */
async function read(file) {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    return null;
  }
}

/**
 * The value of `key` in a cgroup counters file (`key value` lines), or 0.
 * @param {string | null} text
 * @param {string} key
 */
export function counter(text, key) {
  const line = (text ?? '').split('\n').find((l) => l.startsWith(`${key} `));
  return line ? Number(line.split(' ')[1] ?? 0) : 0;
}

/**
 * A limit as a number, or null for none (`max`, absent, or the v1 "no limit" huge value).
 * @param {string | number | null} value
 */
export function finite(value) {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 && n < 2 ** 60 ? n : null;
}

/**
 * Limits and hit counters of this container's cgroup.
 * @returns {Promise<CgroupReading>}
 */
export async function readCgroup() {
  if ((await read('/sys/fs/cgroup/memory.max')) !== null) {
    const [quota, period] = ((await read('/sys/fs/cgroup/cpu.max')) ?? 'max 100000').split(' ');
    return {
      memoryBytes: finite(await read('/sys/fs/cgroup/memory.max')),
      pidsMax: finite(await read('/sys/fs/cgroup/pids.max')),
      cpuCores: finite(quota ?? null) && finite(period ?? null) ? Number(quota) / Number(period) : null,
      oomKills: counter(await read('/sys/fs/cgroup/memory.events'), 'oom_kill'),
      pidsRefused: counter(await read('/sys/fs/cgroup/pids.events'), 'max'),
    };
  }
  const quota = finite(await read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'));
  const period = finite(await read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  return {
    memoryBytes: finite(await read('/sys/fs/cgroup/memory/memory.limit_in_bytes')),
    pidsMax: finite(await read('/sys/fs/cgroup/pids/pids.max')),
    cpuCores: quota && period ? quota / period : null,
    oomKills: counter(await read('/sys/fs/cgroup/memory/memory.oom_control'), 'oom_kill'),
    pidsRefused: counter(await read('/sys/fs/cgroup/pids/pids.events'), 'max'),
  };
}

/**
 * Memory this container uses, as `docker stats` counts it (usage less the inactive file cache), or
 * null: what a cluster without its metrics API cannot tell the server otherwise.
 * @returns {Promise<number | null>}
 */
export async function readMemoryUse() {
  const v2 = await read('/sys/fs/cgroup/memory.current');
  if (v2 !== null) return Math.max(0, Number(v2) - counter(await read('/sys/fs/cgroup/memory.stat'), 'inactive_file')) || null;
  const v1 = await read('/sys/fs/cgroup/memory/memory.usage_in_bytes');
  if (v1 === null) return null;
  return Math.max(0, Number(v1) - counter(await read('/sys/fs/cgroup/memory/memory.stat'), 'total_inactive_file')) || null;
}

/**
 * Size and use of the file system holding `dir`, or null.
 * @param {string} dir
 */
export async function readDisk(dir) {
  try {
    const s = await fs.statfs(dir);
    const total = s.blocks * s.bsize;
    return { totalBytes: total, usedBytes: (s.blocks - s.bfree) * s.bsize };
  } catch {
    return null;
  }
}

/** @param {CgroupReading | null} cgroup */
export function describeMemoryLimit(cgroup) {
  return cgroup?.memoryBytes ? `sandbox memory limit (${mb(cgroup.memoryBytes)} MB)` : 'sandbox memory limit';
}

/** @param {CgroupReading | null} cgroup */
export function describeProcessLimit(cgroup) {
  return cgroup?.pidsMax ? `process limit (${cgroup.pidsMax})` : 'process limit';
}

/** @param {CgroupReading | null} cgroup */
export function describeCpuQuota(cgroup) {
  const cores = cgroup?.cpuCores;
  return cores ? `CPU quota ${Number(cores.toFixed(2))} core${cores === 1 ? '' : 's'}` : 'CPU quota';
}

/**
 * Nanoseconds the process's main thread has spent on a CPU and waiting in the
 * run queue (which includes time held back by the CPU quota), or null once it
 * is gone. A busy loop wants the CPU all the time, whether it gets it or not:
 * on a loaded host, or in a container whose quota it shares with the peer,
 * the time it actually ran can stay well below the quota.
 * @param {number} pid
 */
async function schedNanos(pid) {
  const stat = await read(`/proc/${pid}/schedstat`);
  if (!stat) return null;
  const [run, wait] = stat.split(' ').map(Number);
  return Number.isFinite(run) && Number.isFinite(wait) ? (run ?? 0) + (wait ?? 0) : null;
}

/**
 * Polls the counters once a second and writes a `sandbox` log line naming
 * the limit whenever one is hit: memory (OOM kills), processes (refused
 * forks), disk (the ledger disk or /tmp nearly full) and CPU (the chaincode
 * at its full quota for a while).
 */
export class LimitWatch {
  #logs;
  #disks;
  #chaincodePid;
  #readCgroup;
  /** @type {NodeJS.Timeout | null} */
  #timer = null;
  #stopped = false;
  /** @type {CgroupReading | null} */
  #last = null;
  /** @type {Set<string>} */
  #full = new Set();
  /** @type {{ pid: number | null, wantedNs: number, at: bigint, busyMs: number, reported: boolean }} */
  #cpu = { pid: null, wantedNs: 0, at: 0n, busyMs: 0, reported: false };
  /** The latest cgroup reading (limits and counters). @type {CgroupReading | null} */
  cgroup = null;

  /**
   * @param {{ logs: LogHub, disks: { dir: string, label: string }[], chaincodePid: () => number | null, readCgroup?: () => Promise<CgroupReading> }} options
   *   `readCgroup` is replaced in tests
   */
  constructor({ logs, disks, chaincodePid, readCgroup: reader = readCgroup }) {
    this.#readCgroup = reader;
    this.#logs = logs;
    this.#disks = disks;
    this.#chaincodePid = chaincodePid;
  }

  async start() {
    this.cgroup = await this.#readCgroup();
    this.#last = this.cgroup;
    this.#schedule();
  }

  stop() {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** The next poll starts `limitPollMs` after this one ends, so polls never overlap even when the agent itself is held back by the quota. */
  #schedule() {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.poll()
        .catch(() => undefined)
        .finally(() => this.#schedule());
    }, limitPollMs);
    this.#timer.unref();
  }

  /** Reads the counters once and reports what was hit since the last reading (called every `limitPollMs`). */
  async poll() {
    const now = await this.#readCgroup();
    const last = this.#last ?? now;
    this.cgroup = now;
    this.#last = now;
    if (now.oomKills > last.oomKills) {
      this.#logs.write('sandbox', `A process was killed: ${describeMemoryLimit(now)} reached.`);
    }
    if (now.pidsRefused > last.pidsRefused) {
      this.#logs.write('sandbox', `${describeProcessLimit(now)} reached: ${now.pidsRefused - last.pidsRefused} new process(es) refused (EAGAIN).`);
    }
    for (const { dir, label } of this.#disks) {
      const disk = await readDisk(dir);
      if (!disk || disk.totalBytes === 0) continue;
      const full = disk.usedBytes >= disk.totalBytes * diskFullRatio;
      if (full && !this.#full.has(dir)) {
        this.#logs.write('sandbox', `Disk quota: ${label} is full (${mb(disk.usedBytes)} of ${mb(disk.totalBytes)} MB used); writes there fail with ENOSPC.`);
        this.#full.add(dir);
      } else if (!full) this.#full.delete(dir);
    }
    await this.#pollCpu(now);
  }

  /** @param {CgroupReading} cgroup */
  async #pollCpu(cgroup) {
    const pid = this.#chaincodePid();
    const wantedNs = pid ? await schedNanos(pid) : null;
    const at = process.hrtime.bigint();
    if (!pid || wantedNs === null) {
      this.#cpu = { pid: null, wantedNs: 0, at, busyMs: 0, reported: false };
      return;
    }
    if (this.#cpu.pid !== pid) {
      this.#cpu = { pid, wantedNs, at, busyMs: 0, reported: false };
      return;
    }
    const elapsedNs = Number(at - this.#cpu.at);
    const share = elapsedNs > 0 ? (wantedNs - this.#cpu.wantedNs) / elapsedNs : 0;
    this.#cpu.wantedNs = wantedNs;
    this.#cpu.at = at;
    this.#cpu.busyMs = share >= spinShare ? this.#cpu.busyMs + elapsedNs / 1e6 : 0;
    const busySeconds = Math.floor(this.#cpu.busyMs / 1000);
    if (busySeconds >= spinReportSeconds && !this.#cpu.reported) {
      this.#cpu.reported = true;
      this.#logs.write('sandbox', `The chaincode has used its whole ${describeCpuQuota(cgroup)} for ${busySeconds} s (a busy loop?). The peer and the server stay responsive; press Run to restart it.`);
    } else if (this.#cpu.busyMs === 0) this.#cpu.reported = false;
  }
}
