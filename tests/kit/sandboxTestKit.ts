/**
 * Shared by the security and fault suites: workspaces on real sandboxes under
 * a test-only instance name, cleanup that leaves nothing behind, and a probe
 * that measures a bystander sandbox's evaluate latency while another one is
 * under attack.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InvokeResult, Notification } from '../../protocol/messages.ts';
import { createDocker } from '../../server/sandbox/docker.ts';
import { releaseDisksUnder } from '../../server/sandbox/ledgerDisk.ts';
import { createSandboxManager, type SandboxManager } from '../../server/sandbox/sandboxManager.ts';
import { WorkspaceSession, type WorkspaceSessionOptions } from '../../server/session/workspaceSession.ts';

/** The hostile-by-design chaincode of the isolation tests. */
export const probeChaincodeDir = path.join(import.meta.dirname, '..', 'fixtures', 'probe-chaincode');

export interface TestSandboxes {
  readonly docker: ReturnType<typeof createDocker>;
  readonly instance: string;
  readonly dataDir: string;
  readonly sandboxes: SandboxManager;
  /** Copies `from` into a new workspace and returns its session. */
  workspace(id: string, from: string, options?: Pick<WorkspaceSessionOptions, 'longTransactionWarnMs' | 'dependencies'>): Promise<WorkspaceSession>;
  /** The session of a workspace already in `<dataDir>/workspaces/<id>` (one a store created, e.g. by an import). */
  attach(id: string, options?: Pick<WorkspaceSessionOptions, 'longTransactionWarnMs' | 'dependencies'>): WorkspaceSession;
  /** Submits or evaluates `fn` on `session` and returns the result string. */
  call(session: WorkspaceSession, mode: 'submit' | 'evaluate', fn: string, ...args: string[]): Promise<string>;
  /** Containers of this instance still on Docker. */
  containers(): Promise<string[]>;
  /** Destroys every sandbox and the data dir. */
  cleanup(): Promise<void>;
}

/** `docker`: the daemon to put the sandboxes on (the fault suite's private one); the host's by default. */
export async function createTestSandboxes(prefix: string, options: { docker?: ReturnType<typeof createDocker> } = {}): Promise<TestSandboxes> {
  const docker = options.docker ?? createDocker();
  const instance = `${prefix}-${randomBytes(3).toString('hex')}`;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  const sandboxes = createSandboxManager({ docker, dataDir, instance });
  const sessions: WorkspaceSession[] = [];
  const notifications: Notification[] = [];

  const attach: TestSandboxes['attach'] = (id, options = {}) => {
    const dir = path.join(dataDir, 'workspaces', id);
    const session = new WorkspaceSession({ workspace: id, workspaceDir: dir, sandboxes, publish: (n) => notifications.push(n), ...options });
    sessions.push(session);
    return session;
  };

  return {
    docker,
    instance,
    dataDir,
    sandboxes,
    async workspace(id, from, options = {}) {
      await fs.cp(from, path.join(dataDir, 'workspaces', id), { recursive: true });
      return attach(id, options);
    },
    attach,
    async call(session, mode, fn, ...args) {
      const result: InvokeResult = await session.invoke({ workspace: session.workspace, mode, contract: '', fn, args });
      return result.result;
    },
    async containers() {
      const list = await docker.listContainers({ all: true, filters: { name: [`${instance}-`] } });
      return list.flatMap((c) => c.Names.map((n) => n.replace(/^\//, '')));
    },
    async cleanup() {
      for (const s of sessions) {
        await s.destroy().catch(() => undefined);
        await s.close();
      }
      await releaseDisksUnder(dataDir);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Latency figures of one measurement, in milliseconds. */
export interface LatencyFigures {
  count: number;
  p50Ms: number;
  maxMs: number;
}

/**
 * Evaluates `Get` on the bystander over and over until `until` settles (and
 * at least `minMs` have passed), and returns the latency figures.
 */
export async function measureBystander(kit: TestSandboxes, bystander: WorkspaceSession, until: Promise<unknown>, minMs = 2000): Promise<LatencyFigures> {
  let settled = false;
  void until.then(
    () => (settled = true),
    () => (settled = true),
  );
  const started = Date.now();
  const samples: number[] = [];
  while (!settled || Date.now() - started < minMs) {
    const t = performance.now();
    await kit.call(bystander, 'evaluate', 'Get', 'k');
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return {
    count: samples.length,
    p50Ms: Math.round(samples[Math.floor(samples.length / 2)] ?? 0),
    maxMs: Math.round(samples.at(-1) ?? 0),
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
