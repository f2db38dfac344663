/**
 * Replays a workspace's invoke tests on a fresh ledger: a throwaway sandbox
 * of its own (`<workspace>--test`, so the user's sandbox and ledger are never
 * touched), the chaincode built and started exactly as Run does it (a
 * WorkspaceSession on that sandbox id over the same workspace folder), every
 * file's invokes in order through the Gateway, each compared with its
 * expectations. The sandbox is destroyed at the end, whatever happened.
 */
import type { InvokeCheck, InvokeTestFileResult, InvokeTestRunResult } from '../../protocol/invokeTests.ts';
import type { NotificationMap } from '../../protocol/messages.ts';
import type { DependencyInstaller } from '../npm/dependencyInstaller.ts';
import type { SandboxDriver } from '../sandbox/sandboxDriver.ts';
import { WorkspaceSession } from '../session/workspaceSession.ts';
import { checkInvoke, type InvokeOutcome } from './invokeExpectations.ts';
import { loadTestFiles, type LoadedTestFile } from './testFiles.ts';

const testSuffix = '--test';

/** The sandbox id a workspace's test runs use (workspace ids are at most 63 characters). */
export function testSandboxId(workspace: string): string {
  return `${workspace.slice(0, 63 - testSuffix.length)}${testSuffix}`;
}

export interface TestRunOptions {
  readonly workspace: string;
  readonly workspaceDir: string;
  readonly sandboxes: SandboxDriver;
  readonly dependencies?: DependencyInstaller;
  /** Steps of the run (sandbox start, compile, each file) as they happen, each named `tests:<step>`. */
  readonly progress?: (step: string, message: string) => void;
  /** Test files already read (the bench passes its own); default: the workspace's. */
  readonly files?: LoadedTestFile[];
}

function failedFile(file: string, error: string): InvokeTestFileResult {
  return { file, passed: false, error, invokes: [] };
}

function summarise(files: InvokeTestFileResult[], startedMs: number): InvokeTestRunResult {
  const checks = files.flatMap((f) => f.invokes);
  const passed = checks.filter((c) => c.passed).length;
  return {
    passed: files.every((f) => f.passed),
    counts: { passed, failed: checks.length - passed, files: files.length },
    files,
    durationMs: Math.round(performance.now() - startedMs),
  };
}

async function replayFile(session: WorkspaceSession, loaded: Extract<LoadedTestFile, { test: unknown }>, namespace: string): Promise<InvokeTestFileResult> {
  const invokes: InvokeCheck[] = [];
  for (const [index, step] of loaded.test.invokes.entries()) {
    const started = performance.now();
    const params = { workspace: session.workspace, mode: step.mode, contract: step.contract, fn: step.fn, args: step.args, ...(step.transient ? { transient: step.transient } : {}), ...(step.endorsingOrgs ? { endorsingOrgs: step.endorsingOrgs } : {}), ...(step.asOrg !== undefined ? { asOrg: step.asOrg } : {}) };
    const outcome: InvokeOutcome = await session.invoke(params).then(
      (result) => ({ result }),
      (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
    );
    const diff = checkInvoke(step.expect, outcome, namespace);
    const name = step.name ?? `${step.mode} ${step.contract ? `${step.contract}:` : ''}${step.fn}`;
    invokes.push({ index, name, passed: diff.length === 0, diff, durationMs: Math.round(performance.now() - started) });
  }
  return { file: loaded.file, passed: invokes.every((c) => c.passed), invokes };
}

/** Runs every test file of the workspace on a throwaway sandbox and says what passed. */
export async function runWorkspaceTests(options: TestRunOptions): Promise<InvokeTestRunResult> {
  const startedMs = performance.now();
  const progress = options.progress ?? (() => undefined);
  const files = options.files ?? (await loadTestFiles(options.workspaceDir));
  if (files.length === 0) return summarise([], startedMs);

  const session = new WorkspaceSession({
    workspace: testSandboxId(options.workspace),
    workspaceDir: options.workspaceDir,
    sandboxes: options.sandboxes,
    ...(options.dependencies ? { dependencies: options.dependencies } : {}),
    publish: (n) => {
      if (n.method !== 'sandbox/progress') return;
      // Named as the test run's, so the IDE does not take them for the user's own sandbox starting.
      const { step, message } = n.params as NotificationMap['sandbox/progress'];
      progress(`tests:${step}`, message);
    },
  });
  try {
    // A sandbox left by a run that was killed would carry its ledger: start from nothing.
    await options.sandboxes.destroy(session.workspace).catch(() => undefined);
    progress('tests:build', 'Building the chaincode and starting a test sandbox');
    const outcome = await session.run();
    if (!outcome.ok) {
      const errors = outcome.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`);
      const reason = `The chaincode does not compile: ${errors.slice(0, 5).join('; ')}`;
      return summarise(files.map((f) => failedFile(f.file, reason)), startedMs);
    }
    const namespace = session.status.chaincodeName ?? '';
    const results: InvokeTestFileResult[] = [];
    for (const loaded of files) {
      progress('tests:file', `Replaying ${loaded.file}`);
      results.push('error' in loaded ? failedFile(loaded.file, loaded.error) : await replayFile(session, loaded, namespace));
    }
    return summarise(results, startedMs);
  } catch (err) {
    const reason = `The test run failed: ${err instanceof Error ? err.message : String(err)}`;
    return summarise(files.map((f) => failedFile(f.file, reason)), startedMs);
  } finally {
    progress('tests:cleanup', 'Removing the test sandbox');
    await session.destroy().catch(() => undefined);
    await session.close().catch(() => undefined);
  }
}
