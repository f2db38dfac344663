// @ts-check
// Go chaincode: the server builds the user's module on the host into
// /chaincode/app/go-chaincode (a static binary, no cgo), and the agent runs it
// as the dev-mode chaincode process, under Delve when debugging. Delve starts
// the program itself (no ptrace attach, so no capability is needed) and
// serves the Debug Adapter Protocol on the container's loopback; the agent's
// token-checked /dap endpoint is the only way in.
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chaincodeLoggingFormat, chaincodePort, chaincodeUid, delvePort, loopback, mspId } from './constants.mjs';
import { chaincodeAddress } from './fabric.mjs';
import * as p from './paths.mjs';

/** The binary's name in the build folder (server/golang/goBuild.ts writes it). */
export const goBinaryName = 'go-chaincode';

/**
 * The Go build in the chaincode folder, if the last build was one.
 * @returns {Promise<string | undefined>}
 */
export async function findGoBinary() {
  const binary = path.join(p.chaincodeDir, goBinaryName);
  try {
    return (await fs.stat(binary)).isFile() ? binary : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a peer gives a Go chaincode it launches (Fabric 2.5's GetEnv), without TLS (dev mode):
 * the shim reads CORE_CHAINCODE_ID_NAME and CORE_PEER_TLS_ENABLED, the peer address comes as a flag.
 * @param {{ packageId: string }} options
 * @returns {Record<string, string>}
 */
export function goChaincodeEnv({ packageId }) {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: p.scratchDir,
    CORE_CHAINCODE_ID_NAME: packageId,
    CORE_PEER_ADDRESS: chaincodeAddress,
    CORE_CHAINCODE_LOGGING_LEVEL: 'info',
    CORE_CHAINCODE_LOGGING_SHIM: 'warning',
    CORE_CHAINCODE_LOGGING_FORMAT: chaincodeLoggingFormat,
    CORE_PEER_TLS_ENABLED: 'false',
    CORE_PEER_LOCALMSPID: mspId,
    // The sandbox's memory is shared with the peer: the Go runtime collects before it grows past this.
    GOMEMLIMIT: '256MiB',
  };
}

/**
 * The command that runs the Go chaincode: the binary itself, or Delve's headless server executing
 * it (stopped before `main` until a debugger continues it when `waitForDebugger`, else running at once).
 * @param {{ binary: string, debug: boolean, waitForDebugger: boolean, delve?: string }} options
 * @returns {{ command: string, args: string[] }}
 */
export function goChaincodeCommand({ binary, debug, waitForDebugger, delve = p.delveBinary }) {
  const programArgs = ['-peer.address', chaincodeAddress];
  if (!debug) return { command: binary, args: programArgs };
  return {
    command: delve,
    args: [
      'exec',
      binary,
      '--headless',
      `--listen=${loopback}:${delvePort}`,
      '--api-version=2',
      '--accept-multiclient',
      // The agent's proxy, not the chaincode's uid, connects to Delve; the port is on the container's loopback only.
      '--only-same-user=false',
      ...(waitForDebugger ? [] : ['--continue']),
      '--',
      ...programArgs,
    ],
  };
}

/**
 * Whether a process in this network namespace holds an established connection to the peer's
 * chaincode port: the Go shim prints nothing when it registers, and it registers as soon as its
 * stream is open (the server's metadata read retries the few milliseconds in between).
 * @param {string} procNetTcp the text of /proc/net/tcp
 */
export function connectedToPeer(procNetTcp) {
  const port = chaincodePort.toString(16).toUpperCase().padStart(4, '0');
  return procNetTcp.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[2]?.endsWith(`:${port}`) === true && fields[3] === '01';
  });
}

/** What Delve's headless server prints when the program it runs has ended. */
const programEnded = /Process \d+ has exited with status (-?\d+)/;

/**
 * Calls `onRegistered` once the chaincode's connection to the peer is up, and `onProgramEnded`
 * when Delve says the program it ran has ended (Delve itself stays up for its clients).
 * @param {import('node:child_process').ChildProcess} child
 * @param {{ onRegistered: () => void, onProgramEnded: (why: string) => void }} callbacks
 */
export function watchGoProcess(child, { onRegistered, onProgramEnded }) {
  let done = false;
  child.once('exit', () => (done = true));
  let tail = '';
  child.stdout?.on('data', (chunk) => {
    const text = tail + String(chunk);
    tail = text.slice(-200);
    const ended = programEnded.exec(text);
    if (ended) onProgramEnded(`exited with code ${ended[1]}`);
  });
  const poll = async () => {
    while (!done) {
      const text = await fs.readFile('/proc/net/tcp', 'utf8').catch(() => '');
      if (connectedToPeer(text)) {
        done = true;
        onRegistered();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  void poll();
}

/**
 * Kills every process of the chaincode uid. A program Delve started runs in a process group of its
 * own, and a killed tracer leaves its tracee running: killing the group alone could leave an old
 * chaincode registered with the peer.
 */
export async function killChaincodeUidProcesses() {
  /** @type {string[]} */
  let entries;
  try {
    entries = await fs.readdir('/proc');
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await fs.readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (uid !== String(chaincodeUid)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/**
 * Turns an authenticated upgrade of `/dap` into a raw pipe to Delve's headless server, which
 * speaks the Debug Adapter Protocol (Content-Length framed JSON) on it.
 * @param {import('node:stream').Duplex} socket
 * @param {Buffer} head
 */
export function proxyDelve(socket, head) {
  const upstream = net.connect({ host: loopback, port: delvePort });
  upstream.setNoDelay(true);
  if (socket instanceof net.Socket) socket.setNoDelay(true);
  upstream.once('connect', () => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: dap\r\nConnection: Upgrade\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.once('error', (err) => {
    if (socket.writable && !upstream.readable) socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nDelve is not listening: ${err.message}\n`);
    socket.destroy();
  });
  socket.on('error', () => upstream.destroy());
  upstream.on('close', () => socket.destroy());
  socket.on('close', () => upstream.destroy());
}
