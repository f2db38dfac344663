/**
 * Where the rest of the server gets its sandboxes from: the one place that
 * picks the engine, STUDIO_SANDBOX_DRIVER=docker (the default) or kubernetes.
 * Everything else sees a {@link SandboxDriver}.
 */
import { ErrorCode, StudioError } from '../errors.ts';
import { createDockerDriver, type DockerDriverOptions } from './dockerDriver.ts';
import { kubernetesSettingsFromEnv, type KubernetesSettings } from './kubernetesConfig.ts';
import { createKubernetesDriver } from './kubernetesDriver.ts';
import type { SandboxDriver } from './sandboxDriver.ts';

export type { SandboxHandle } from './sandboxDriver.ts';

/** The sandboxes of one server, whatever engine runs them. */
export type SandboxManager = SandboxDriver;
export interface SandboxManagerOptions extends DockerDriverOptions {
  /** The engine; STUDIO_SANDBOX_DRIVER by default, else `docker`. */
  readonly driver?: 'docker' | 'kubernetes';
  /** The Kubernetes driver's settings; from the environment by default (see kubernetesConfig.ts). */
  readonly kubernetes?: KubernetesSettings;
}

/** The sandbox driver of this server: Docker on the daemon `options.docker`, or Kubernetes. */
export function createSandboxManager(options: SandboxManagerOptions): SandboxManager {
  const driver = options.driver ?? (process.env.STUDIO_SANDBOX_DRIVER || 'docker');
  if (driver === 'docker') return createDockerDriver(options);
  if (driver === 'kubernetes') {
    return createKubernetesDriver({
      dataDir: options.dataDir,
      ...(options.instance ? { instance: options.instance } : {}),
      settings: options.kubernetes ?? kubernetesSettingsFromEnv(options.dataDir),
    });
  }
  throw new StudioError(ErrorCode.Sandbox, `STUDIO_SANDBOX_DRIVER must be docker or kubernetes, not "${driver}".`);
}
