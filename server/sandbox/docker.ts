/**
 * The Docker edge: one dockerode client, Docker errors translated into
 * StudioErrors in one place, and the host firewall rule that keeps sandboxes
 * away from the host's own services.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { bridgePrefix } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';

const exec = promisify(execFile);

export function createDocker(): Docker {
  return new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });
}

interface DockerishError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

/** Translates a dockerode failure during `action` into a StudioError a user can act on. */
export function dockerError(err: unknown, action: string): StudioError {
  const e = (err ?? {}) as DockerishError;
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'EACCES') {
    return new StudioError(ErrorCode.Docker, `Docker is not reachable while trying to ${action} (${e.code}). Start the Docker daemon (npm start does it on Debian) and try again.`, { cause: err });
  }
  const detail = e.json?.message ?? e.message ?? String(err);
  return new StudioError(ErrorCode.Docker, `Docker could not ${action}: ${detail}`, { cause: err });
}

export function isNotFound(err: unknown): boolean {
  return (err as DockerishError | undefined)?.statusCode === 404;
}

/** Runs `fn`, translating any Docker failure during `action` into a StudioError. */
export async function docker<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw dockerError(err, action);
  }
}

let firewallReady: Promise<void> | undefined;

/**
 * Drops every new connection that a sandbox opens towards the host itself
 * (the IDE server, the Docker API over TCP, anything listening on the host).
 * Replies to connections the server opened into the sandbox are still allowed.
 * Sandbox networks are `internal`, so Docker already gives them no route out.
 */
export function ensureHostFirewall(): Promise<void> {
  firewallReady ??= (async () => {
    const rule = ['INPUT', '-i', `${bridgePrefix}+`, '-m', 'conntrack', '--ctstate', 'NEW,INVALID', '-j', 'DROP'];
    try {
      await exec('iptables', ['-w', '-C', ...rule]);
    } catch {
      try {
        await exec('iptables', ['-w', '-I', ...rule]);
      } catch (err) {
        firewallReady = undefined;
        throw new StudioError(
          ErrorCode.Sandbox,
          `Cannot isolate sandboxes from this host: adding the iptables rule failed (${err instanceof Error ? err.message : String(err)}). Run the server as root with iptables installed.`,
          { cause: err },
        );
      }
    }
  })();
  return firewallReady;
}
