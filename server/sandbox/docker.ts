/**
 * The Docker edge: one dockerode client, Docker errors translated into
 * StudioErrors in one place, and the host firewall rule that keeps sandboxes
 * away from the host's own services.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
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

/** The rule, for `iptables` and `ip6tables` alike: new connections from a sandbox bridge to the host are dropped. */
const firewallRule = ['INPUT', '-i', `${bridgePrefix}+`, '-m', 'conntrack', '--ctstate', 'NEW,INVALID', '-j', 'DROP'];
/** Checks run one after another, so two sandboxes starting together never insert the rule twice. */
let firewallQueue: Promise<unknown> = Promise.resolve();

async function ipv6Enabled(): Promise<boolean> {
  return fs.access('/proc/net/if_inet6').then(
    () => true,
    () => false,
  );
}

async function ensureRule(command: 'iptables' | 'ip6tables'): Promise<void> {
  try {
    await exec(command, ['-w', '-C', ...firewallRule]);
    return;
  } catch {
    // Missing (never added, or removed since, e.g. by a firewall reload): add it.
  }
  try {
    await exec(command, ['-w', '-I', ...firewallRule]);
  } catch (err) {
    throw new StudioError(
      ErrorCode.Sandbox,
      `Cannot isolate sandboxes from this host: adding the ${command} rule failed (${err instanceof Error ? err.message : String(err)}). Run the server as root with iptables installed.`,
      { cause: err },
    );
  }
}

/**
 * Drops every new connection that a sandbox opens towards the host itself
 * (the IDE server, the Docker API over TCP, anything listening on the host),
 * over IPv4 and, when the kernel has it, IPv6 (a container has a link-local
 * address even on a network without IPv6). Replies to connections the server
 * opened into the sandbox are still allowed. Sandbox networks are `internal`,
 * so Docker already gives them no route out. Called before every sandbox start
 * and reattach: the check is cheap, and a firewall reload may have removed the rule.
 */
export function ensureHostFirewall(): Promise<void> {
  const check = firewallQueue.then(async () => {
    await ensureRule('iptables');
    if (await ipv6Enabled()) await ensureRule('ip6tables');
  });
  firewallQueue = check.catch(() => undefined);
  return check;
}
