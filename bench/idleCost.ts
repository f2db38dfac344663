/**
 * What an idle sandbox costs the host: CPU (millicores) and memory (MB) per
 * part (peer, orderer, agent, the launcher, the chaincode) read from /proc of
 * each of the container's processes, and the container's total from its cgroup
 * (v1 or v2). Run on the Docker host as root (the bench does): the
 * container's processes are this host's processes.
 */
import { promises as fs } from 'node:fs';
import type Docker from 'dockerode';
import { chaincodeUid } from '../server/config.ts';

export const idleParts = ['peer', 'orderer', 'agent', 'launcher', 'chaincode', 'other'] as const;
export type IdlePart = (typeof idleParts)[number];
export type PartFigures = Record<IdlePart | 'total', number>;

export interface IdleCost {
  /** CPU used over the window, in thousandths of a core; `total` from the container's cgroup. */
  readonly cpuMillicores: PartFigures;
  /** Memory each part holds alone (unique set size), in MB; `total` is the cgroup's usage less inactive file pages. */
  readonly memoryMb: PartFigures;
  readonly windowMs: number;
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on every Linux we run on). */
const ticksPerSecond = 100;

interface CgroupFiles {
  /** Cumulative CPU of the container, in nanoseconds. */
  cpuNanos(): Promise<number>;
  memoryBytes(): Promise<number>;
  pids(): Promise<number[]>;
}

async function readText(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').catch(() => undefined);
}

function statField(stat: string, name: string): number {
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(stat);
  return match ? Number(match[1]) : 0;
}

/** The container's cgroup, found from its first process's /proc/<pid>/cgroup. */
async function cgroupOf(pid: number): Promise<CgroupFiles> {
  const lines = ((await readText(`/proc/${pid}/cgroup`)) ?? '').split('\n');
  const v1 = (controller: string) => lines.map((l) => l.split(':')).find(([, controllers]) => controllers?.split(',').includes(controller))?.[2];
  const cpuacct = v1('cpuacct');
  const memory = v1('memory');
  if (cpuacct !== undefined && memory !== undefined) {
    const cpuDir = `/sys/fs/cgroup/cpuacct${cpuacct}`;
    const memDir = `/sys/fs/cgroup/memory${memory}`;
    return {
      cpuNanos: async () => Number((await readText(`${cpuDir}/cpuacct.usage`)) ?? NaN),
      memoryBytes: async () => Number((await readText(`${memDir}/memory.usage_in_bytes`)) ?? NaN) - statField((await readText(`${memDir}/memory.stat`)) ?? '', 'total_inactive_file'),
      pids: async () => ((await readText(`${memDir}/cgroup.procs`)) ?? '').split('\n').filter(Boolean).map(Number),
    };
  }
  const unified = lines.find((l) => l.startsWith('0::'))?.slice(3);
  if (unified === undefined) throw new Error(`no cgroup found for pid ${pid}`);
  const dir = `/sys/fs/cgroup${unified}`;
  return {
    cpuNanos: async () => statField((await readText(`${dir}/cpu.stat`)) ?? '', 'usage_usec') * 1000,
    memoryBytes: async () => Number((await readText(`${dir}/memory.current`)) ?? NaN) - statField((await readText(`${dir}/memory.stat`)) ?? '', 'inactive_file'),
    pids: async () => ((await readText(`${dir}/cgroup.procs`)) ?? '').split('\n').filter(Boolean).map(Number),
  };
}

/** Which part of the sandbox a process is, by its uid, name and command line. */
async function partOf(pid: number): Promise<IdlePart | undefined> {
  const status = await readText(`/proc/${pid}/status`);
  const cmdline = (await readText(`/proc/${pid}/cmdline`))?.split('\0').join(' ');
  if (status === undefined || cmdline === undefined) return undefined;
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
  const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '';
  if (uid === chaincodeUid) return 'chaincode';
  if (name === 'peer') return 'peer';
  if (name === 'orderer') return 'orderer';
  if (cmdline.includes('main.mjs')) return 'agent';
  if (cmdline.includes('launch.mjs')) return 'launcher';
  return 'other';
}

/** User plus system CPU of a process so far, in seconds. */
async function cpuSeconds(pid: number): Promise<number | undefined> {
  const stat = await readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/**
 * Memory only this process holds (its unique set: private clean and dirty pages), in MB. Pages
 * shared with other processes (the peer binary, Node itself, mapped by every sandbox of the
 * image) are left out: they are paid once, not per sandbox.
 */
async function ussMb(pid: number): Promise<number> {
  const rollup = await readText(`/proc/${pid}/smaps_rollup`);
  if (rollup === undefined) return Number(/^RssAnon:\s+(\d+)/m.exec((await readText(`/proc/${pid}/status`)) ?? '')?.[1] ?? 0) / 1024;
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
  return (kb('Private_Clean') + kb('Private_Dirty')) / 1024;
}

const zero = (): PartFigures => ({ peer: 0, orderer: 0, agent: 0, launcher: 0, chaincode: 0, other: 0, total: 0 });
const round = (figures: PartFigures): PartFigures => Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v * 10) / 10])) as PartFigures;

/** Measures the container `containerName` over `windowMs` while nothing is sent to it. */
export async function measureIdleCost(docker: Docker, containerName: string, windowMs: number): Promise<IdleCost> {
  const info = await docker.getContainer(containerName).inspect();
  const cgroup = await cgroupOf(info.State.Pid);
  const pids = await cgroup.pids();
  const parts = new Map<number, IdlePart>();
  for (const pid of pids) {
    const part = await partOf(pid);
    if (part) parts.set(pid, part);
  }
  const cpuBefore = new Map<number, number>();
  for (const pid of parts.keys()) {
    const seconds = await cpuSeconds(pid);
    if (seconds !== undefined) cpuBefore.set(pid, seconds);
  }
  const cgroupBefore = await cgroup.cpuNanos();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cgroupAfter = await cgroup.cpuNanos();

  const cpu = zero();
  const memory = zero();
  for (const [pid, part] of parts) {
    const before = cpuBefore.get(pid);
    const after = await cpuSeconds(pid);
    if (before !== undefined && after !== undefined) cpu[part] += ((after - before) / elapsedSeconds) * 1000;
    memory[part] += await ussMb(pid);
  }
  cpu.total = ((cgroupAfter - cgroupBefore) / 1e9 / elapsedSeconds) * 1000;
  memory.total = (await cgroup.memoryBytes()) / 1024 / 1024;
  return { cpuMillicores: round(cpu), memoryMb: round(memory), windowMs };
}
