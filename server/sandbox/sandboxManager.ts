/**
 * Where the rest of the server gets its sandboxes from: the one place that
 * picks the engine, STUDIO_SANDBOX_DRIVER=docker (the default) or kubernetes.
 * Everything else sees a {@link SandboxDriver}.
 */
import path from 'node:path';
import { ErrorCode, StudioError } from '../errors.ts';
import { createDockerDriver, type DockerDriverOptions } from './dockerDriver.ts';
import type { KubernetesSettings } from './kubernetesConfig.ts';
import type { SandboxDriver, SpareSandboxes } from './sandboxDriver.ts';

export type { SandboxHandle } from './sandboxDriver.ts';

/** The sandboxes of one server, whatever engine runs them. */
export type SandboxManager = SandboxDriver;
export interface SandboxManagerOptions extends DockerDriverOptions {
  /** The engine; STUDIO_SANDBOX_DRIVER by default, else `docker`. */
  readonly driver?: 'docker' | 'kubernetes';
  /** The Kubernetes driver's settings; from the environment by default (see kubernetesConfig.ts). */
  readonly kubernetes?: KubernetesSettings;
}

/**
 * The Kubernetes driver, loaded on first use: its client library takes seconds to import,
 * which a server on the Docker driver should not pay at every start.
 */
function kubernetesDriver(options: SandboxManagerOptions): SandboxDriver {
  const instance = options.instance ?? process.env.STUDIO_INSTANCE ?? 'ccs';
  let loading: Promise<SandboxDriver> | undefined;
  const driver = () =>
    (loading ??= Promise.all([import('./kubernetesDriver.ts'), import('./kubernetesConfig.ts')]).then(([{ createKubernetesDriver }, { kubernetesSettingsFromEnv }]) =>
      createKubernetesDriver({ dataDir: options.dataDir, instance, settings: options.kubernetes ?? kubernetesSettingsFromEnv(options.dataDir) }),
    ));
  const spares: SpareSandboxes = {
    start: async (id, progress) => (await driver()).spares.start(id, progress),
    claim: async (id, workspace) => (await driver()).spares.claim(id, workspace),
    destroy: async (id) => (await driver()).spares.destroy(id),
    list: async () => (await driver()).spares.list(),
  };
  return {
    instance,
    // As the driver has it: the build dirs are the server's, whatever runs the sandbox.
    buildDir: (workspace) => path.join(options.dataDir, 'builds', workspace),
    start: async (workspace, progress, startOptions) => (await driver()).start(workspace, progress, startOptions),
    find: async (workspace) => (await driver()).find(workspace),
    stop: async (workspace) => (await driver()).stop(workspace),
    destroy: async (workspace) => (await driver()).destroy(workspace),
    list: async () => (await driver()).list(),
    memoryBytes: async (workspace) => (await driver()).memoryBytes(workspace),
    exists: async (workspace) => (await driver()).exists(workspace),
    spares,
  };
}

/** The sandbox driver of this server: Docker on the daemon `options.docker`, or Kubernetes. */
export function createSandboxManager(options: SandboxManagerOptions): SandboxManager {
  const driver = options.driver ?? (process.env.STUDIO_SANDBOX_DRIVER || 'docker');
  if (driver === 'docker') return createDockerDriver(options);
  if (driver === 'kubernetes') return kubernetesDriver(options);
  throw new StudioError(ErrorCode.Sandbox, `STUDIO_SANDBOX_DRIVER must be docker or kubernetes, not "${driver}".`);
}
