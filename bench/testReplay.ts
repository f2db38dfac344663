/**
 * `testReplay20Ms`: a 20-invoke test file (10 submits, 10 evaluates, each with
 * its expectations) replayed by the test runner — the replay itself, and the
 * whole run with its throwaway sandbox started and removed (`testRunMs`).
 */
import type { InvokeTestStep } from '../protocol/invokeTests.ts';
import type { SandboxDriver } from '../server/sandbox/sandboxDriver.ts';
import { runWorkspaceTests } from '../server/testing/testRunner.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

/** The 20 invokes: create ten assets (event and write set checked), then read each back. */
export function twentyInvokes(): InvokeTestStep[] {
  const creates: InvokeTestStep[] = Array.from({ length: 10 }, (_, i) => ({
    mode: 'submit', contract: '', fn: 'CreateAsset', args: [`replay${i}`, 'blue', '5', 'Tomoko', '300'],
    expect: { validationCode: 'VALID', events: [{ name: 'AssetCreated', payloadIncludes: { ID: `replay${i}` } }], writes: { written: [`replay${i}`], deleted: [] } },
  }));
  const reads: InvokeTestStep[] = Array.from({ length: 10 }, (_, i) => ({
    mode: 'evaluate', contract: '', fn: 'ReadAsset', args: [`replay${i}`], expect: { resultIncludes: { ID: `replay${i}`, Owner: 'Tomoko' } },
  }));
  return [...creates, ...reads];
}

export async function measureTestReplay(sandboxes: SandboxDriver, workspace: string, workspaceDir: string, report: Report): Promise<Record<string, number | null>> {
  const files = [{ file: 'tests/bench.invokes.json', test: { invokes: twentyInvokes() } }];
  const run = await runWorkspaceTests({ workspace, workspaceDir, sandboxes, files });
  if (!run.passed) throw new Error(`the 20-invoke test file failed: ${JSON.stringify(run.files[0])}`);
  const testReplay20Ms = (run.files[0]?.invokes ?? []).reduce((sum, c) => sum + c.durationMs, 0);
  report('testReplay20Ms', testReplay20Ms, ' ms (20 invokes replayed and checked)');
  report('testRunMs', run.durationMs, ' ms (the whole run: build, test sandbox, replay, removal)');
  return { testReplay20Ms, testRunMs: run.durationMs };
}
