/**
 * A workspace copied from a sample and run in a real sandbox with a
 * breakpoint set before Run (as a user who clicks the gutter first would),
 * its `stopped` and `output` notifications collected: what the Node and Go
 * debugger suites share.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { SourceBreakpoint } from '../../protocol/dap.ts';
import type { InvokeResult, Notification, NotificationMap } from '../../protocol/messages.ts';
import { samplesDir } from '../../server/config.ts';
import { createDocker } from '../../server/sandbox/docker.ts';
import { releaseDisksUnder } from '../../server/sandbox/ledgerDisk.ts';
import { createSandboxManager, type SandboxManager } from '../../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../../server/session/workspaceSession.ts';

export interface DebuggedWorkspaceOptions {
  readonly workspace: string;
  /** The sample folder under samples/ the workspace is copied from. */
  readonly sample: string;
  /** The file breakpoints are set in, relative to the workspace. */
  readonly source: string;
}

export interface DebuggedWorkspace {
  readonly stops: NotificationMap['stopped'][];
  readonly outputs: NotificationMap['output'][];
  /** Sandbox instance name: every container is named `<instance>-<workspace>`. */
  readonly instance: string;
  readonly dataDir: string;
  readonly dir: string;
  readonly sandboxes: SandboxManager;
  readonly session: WorkspaceSession;
  /** 1-based line of the first line of the source containing `text`. */
  lineOf(text: string): number;
  /** The stop after the first `after` stops, once it comes. */
  nextStop(after: number): Promise<NotificationMap['stopped']>;
  submit(fn: string, ...args: string[]): Promise<InvokeResult>;
  /** Copies the sample, sets the breakpoints `before` returns and runs the workspace. */
  start(before: (lineOf: (text: string) => number) => SourceBreakpoint[]): Promise<WorkspaceSession>;
  /** Destroys the sandbox and removes every file. */
  stop(): Promise<void>;
}

export function debuggedWorkspace(options: DebuggedWorkspaceOptions): DebuggedWorkspace {
  const stops: NotificationMap['stopped'][] = [];
  const outputs: NotificationMap['output'][] = [];
  const instance = `ccs-${options.workspace}-${randomBytes(3).toString('hex')}`;
  let lines: string[] = [];
  let started: { dataDir: string; dir: string; sandboxes: SandboxManager; session: WorkspaceSession } | undefined;
  const need = () => {
    if (!started) throw new Error('the debugged workspace has not started: call start() in beforeAll');
    return started;
  };
  const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;

  return {
    stops,
    outputs,
    instance,
    get dataDir() {
      return need().dataDir;
    },
    get dir() {
      return need().dir;
    },
    get sandboxes() {
      return need().sandboxes;
    },
    get session() {
      return need().session;
    },
    lineOf,
    nextStop(after) {
      return expect
        .poll(() => stops.length > after, { timeout: 30_000, interval: 20 })
        .toBe(true)
        .then(() => stops[after] as NotificationMap['stopped']);
    },
    submit(fn, ...args) {
      return need().session.invoke({ workspace: options.workspace, mode: 'submit', contract: '', fn, args });
    },
    async start(before) {
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `${instance}-`));
      const dir = path.join(dataDir, 'workspaces', options.workspace);
      await fs.cp(path.join(samplesDir, options.sample), dir, { recursive: true });
      lines = (await fs.readFile(path.join(dir, options.source), 'utf8')).split('\n');
      const sandboxes = createSandboxManager({ docker: createDocker(), dataDir, instance });
      const session = new WorkspaceSession({
        workspace: options.workspace,
        workspaceDir: dir,
        sandboxes,
        publish: (n: Notification) => {
          if (n.method === 'stopped') stops.push(n.params as NotificationMap['stopped']);
          if (n.method === 'output') outputs.push(n.params as NotificationMap['output']);
        },
      });
      started = { dataDir, dir, sandboxes, session };
      session.breakpoints.set(options.source, before(lineOf));
      expect((await session.run()).ok).toBe(true);
      return session;
    },
    async stop() {
      if (!started) return;
      const { session, dataDir } = started;
      await session.destroy().catch(() => undefined);
      await session.close();
      await releaseDisksUnder(dataDir);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
