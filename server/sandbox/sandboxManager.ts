/**
 * Where the rest of the server gets its sandboxes from: the one place that
 * picks the engine (Docker today). Everything else sees a {@link SandboxDriver}.
 */
import { createDockerDriver, type DockerDriverOptions } from './dockerDriver.ts';
import type { SandboxDriver } from './sandboxDriver.ts';

export type { SandboxHandle } from './sandboxDriver.ts';

/** The sandboxes of one server, whatever engine runs them. */
export type SandboxManager = SandboxDriver;
export type SandboxManagerOptions = DockerDriverOptions;

/** The sandbox driver of this server: Docker, on the daemon `options.docker`. */
export function createSandboxManager(options: SandboxManagerOptions): SandboxManager {
  return createDockerDriver(options);
}
