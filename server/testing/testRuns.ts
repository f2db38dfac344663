/**
 * The server's `tests/run`: one test run at a time per workspace, on the
 * workspace's throwaway `<workspace>--test` sandbox (refused when a workspace
 * of that very name exists, whose sandbox it would be).
 */
import type { InvokeTestRunResult } from '../../protocol/invokeTests.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { DependencyInstaller } from '../npm/dependencyInstaller.ts';
import type { SandboxDriver } from '../sandbox/sandboxDriver.ts';
import type { WorkspaceStore } from '../workspace/workspaceStore.ts';
import { runWorkspaceTests, testSandboxId } from './testRunner.ts';

export interface TestRuns {
  run(workspace: string, progress: (step: string, message: string) => void): Promise<InvokeTestRunResult>;
}

export function createTestRuns(options: { store: Pick<WorkspaceStore, 'exists' | 'dir'>; sandboxes: SandboxDriver; dependencies?: DependencyInstaller }): TestRuns {
  const running = new Set<string>();
  return {
    async run(workspace, progress) {
      if (running.has(workspace)) throw new StudioError(ErrorCode.Limit, 'The tests of this workspace are already running: wait for their results.');
      running.add(workspace);
      try {
        if (!(await options.store.exists(workspace))) throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}": create it first or pick one from the list.`);
        const sandboxId = testSandboxId(workspace);
        if (await options.store.exists(sandboxId)) {
          throw new StudioError(ErrorCode.AlreadyExists, `Tests run on a sandbox named "${sandboxId}", but a workspace has that name: rename one of them.`);
        }
        return await runWorkspaceTests({ workspace, workspaceDir: options.store.dir(workspace), sandboxes: options.sandboxes, ...(options.dependencies ? { dependencies: options.dependencies } : {}), progress });
      } finally {
        running.delete(workspace);
      }
    },
  };
}
