/**
 * Makes a sandbox's loopback acknowledge TCP data at once (`quickack 1` on
 * its loopback routes).
 *
 * Node's inspector never sets TCP_NODELAY on its socket, so a reply written
 * in two pieces holds the second back until the first is acknowledged, and
 * the reader (the agent's inspector proxy, over the container's loopback)
 * delays that acknowledgement by up to 40 ms: every debugger step and
 * breakpoint hit paid it. The container runs without capabilities and cannot
 * change its own routes, so the server, root on the host, changes them from
 * inside the container's network namespace. Without root, `nsenter` or `ip`
 * debugging stays correct, only slower.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sandboxRouteCommandTimeoutMs } from '../config.ts';

const exec = promisify(execFile);

/**
 * The loopback routes Linux puts in a new namespace's `local` table, as
 * `ip route show table local` prints them, with `quickack 1` added.
 * `ip route change` needs every attribute of the existing route.
 */
const quickAckRoutes: readonly (readonly string[])[] = ['127.0.0.0/8', '127.0.0.1'].map((destination) =>
  ['local', destination, 'dev', 'lo', 'proto', 'kernel', 'scope', 'host', 'src', '127.0.0.1', 'table', 'local', 'quickack', '1'],
);

let unavailableLogged = false;

function logUnavailable(reason: string): void {
  if (unavailableLogged) return;
  unavailableLogged = true;
  console.warn(`Debugger steps in sandboxes will be about 40 ms slower: ${reason}.`);
}

/**
 * Sets `quickack 1` on the loopback routes of the network namespace of
 * process `pid` (a running sandbox container's). Idempotent; never throws:
 * a failure only costs speed, so it is logged and skipped.
 */
export async function enableLoopbackQuickAck(pid: number): Promise<void> {
  if (process.getuid?.() !== 0) return logUnavailable('the server does not run as root, so it cannot set quickack on their loopback routes');
  if (!(pid > 0)) return;
  for (const route of quickAckRoutes) {
    try {
      await exec('nsenter', ['-t', String(pid), '-n', 'ip', 'route', 'change', ...route], { timeout: sandboxRouteCommandTimeoutMs });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT' || /No such file or directory/.test(e.stderr ?? '')) {
        return logUnavailable('nsenter or ip (util-linux, iproute2) is not installed on this host');
      }
      console.warn(`Could not set quickack on the loopback of sandbox process ${pid} (debugger steps will be slower): ${(e.stderr ?? '').trim() || String(err)}`);
      return;
    }
  }
}
