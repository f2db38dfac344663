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
  const count = <T>(pending: Promise<T>): Promise<T> => {
    if (!counted.has(pending)) {
      counted.add(pending);
      pending.catch((err: unknown) => metrics.sandboxStartFailed(outcomeOf(err)));
    }
    return pending;
  };
  const spares = driver.spares;
  return {
    get instance() {
      return driver.instance;
    },
    buildDir: (workspace) => driver.buildDir(workspace),
    start: (workspace, progress, options) => count(driver.start(workspace, progress, options)),
    find: (workspace) => driver.find(workspace),
    stop: (workspace) => driver.stop(workspace),
    destroy: (workspace) => driver.destroy(workspace),
    list: () => driver.list(),
    memoryBytes: (workspace) => driver.memoryBytes(workspace),
    exists: (workspace) => driver.exists(workspace),
    spares: {
      start: (id, progress) => count(spares.start(id, progress)),
      claim: (id, workspace) => spares.claim(id, workspace),
      destroy: (id) => spares.destroy(id),
      list: () => spares.list(),
    },
  };
}
