/**
 * A {@link SandboxDriver} that counts its failed starts by cause, whatever
 * engine is behind it and whoever starts the sandbox (a Run, a resumed idle
 * sandbox, the warm pool). Concurrent starts of one sandbox share one promise
 * in the driver: that failure is counted once.
 */
import type { SandboxDriver } from '../sandbox/sandboxDriver.ts';
import { outcomeOf, type StudioMetrics } from './studioMetrics.ts';

export function countStartFailures(driver: SandboxDriver, metrics: Pick<StudioMetrics, 'sandboxStartFailed'>): SandboxDriver {
  const counted = new WeakSet<Promise<unknown>>();
  return {
    get instance() {
      return driver.instance;
    },
    buildDir: (workspace) => driver.buildDir(workspace),
    start(workspace, progress, options) {
      const pending = driver.start(workspace, progress, options);
      if (!counted.has(pending)) {
        counted.add(pending);
        pending.catch((err: unknown) => metrics.sandboxStartFailed(outcomeOf(err)));
      }
      return pending;
    },
    find: (workspace) => driver.find(workspace),
    stop: (workspace) => driver.stop(workspace),
    destroy: (workspace) => driver.destroy(workspace),
    list: () => driver.list(),
    memoryBytes: (workspace) => driver.memoryBytes(workspace),
  };
}
