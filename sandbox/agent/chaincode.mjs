// @ts-check
// The user's chaincode as a plain node process under a uid of its own (see
// privileges.mjs): started with the V8 inspector on the container's loopback
// (only the agent's token-checked proxy reaches it), restarted by killing the
// old process group first.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { chaincodeErrorMaxChars, chaincodeLoggingFormat, chaincodeStderrTailLines, chaincodeHeapLimitMb, inspectorPort, loopback, mspId, standbySpawnDelayMs } from './constants.mjs';
import { ChaincodeStandby, goMessage } from './chaincodeStandby.mjs';
import { chaincodeAddress } from './fabric.mjs';
import { describeMemoryLimit, readCgroup } from './limits.mjs';
import * as p from './paths.mjs';
import { asChaincodeUser } from './privileges.mjs';
import { findGoBinary, goChaincodeCommand, goChaincodeEnv, killChaincodeUidProcesses, watchGoProcess } from './goChaincode.mjs';

/**
 * @typedef {import('../../protocol/agent.ts').AgentChaincodeInfo} AgentChaincodeInfo
 * @typedef {import('../../protocol/agent.ts').ChaincodeDefinition} ChaincodeDefinition
 * @typedef {import('./logs.mjs').LogWriter} LogHub
 * @typedef {import('./limits.mjs').CgroupReading} CgroupReading
 * @typedef {{ mspId: string, chaincodeAddress: string, inspectorPort: number }} OrgPeer
 */

/**
 * The node arguments that start the chaincode registered as `packageId`: with the inspector when
 * `debug`, paused before the first line until a debugger attaches unless `waitForDebugger` is false.
 * `peer` is the org peer it registers with (the first org's by default), and whose inspector port it takes.
 * @param {{ packageId: string, debug: boolean, waitForDebugger?: boolean, peer?: { chaincodeAddress: string, inspectorPort: number } }} options
 */
export function chaincodeArgs({ packageId, debug, waitForDebugger = true, peer = { chaincodeAddress, inspectorPort } }) {
  return [
    `--max-old-space-size=${chaincodeHeapLimitMb}`,
    ...(debug ? [`--${waitForDebugger ? 'inspect-brk' : 'inspect'}=${loopback}:${peer.inspectorPort}`] : []),
    path.join(p.chaincodeRuntime, 'fabric-shim', 'cli.js'),
    'start',
    '--peer.address',
    peer.chaincodeAddress,
    '--chaincode-id-name',
    packageId,
  ];
}

/**
 * The environment of the chaincode process: what Fabric 2.5's peer gives a chaincode it launches
 * (core/container/dockercontroller's GetEnv, with the peer's chaincode logging settings), without
 * TLS (dev mode), plus a bare PATH and HOME. Nothing of the agent's own (its token) reaches user code.
 * @param {{ packageId: string, orgMspId?: string }} options
 * @returns {Record<string, string>}
 */
export function chaincodeEnv({ packageId, orgMspId = mspId }) {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: p.scratchDir,
    NODE_PATH: p.chaincodeRuntime,
    NODE_ENV: 'development',
    CORE_CHAINCODE_ID_NAME: packageId,
    CORE_CHAINCODE_LOGGING_LEVEL: 'info',
    CORE_CHAINCODE_LOGGING_SHIM: 'warning',
    CORE_CHAINCODE_LOGGING_FORMAT: chaincodeLoggingFormat,
    CORE_PEER_TLS_ENABLED: 'false',
    CORE_PEER_LOCALMSPID: orgMspId,
  };
}

/** What node itself prints around the inspector: it says nothing about why the chaincode ended. */
const inspectorLines = [/^Debugger listening on /, /^For help, see: /, /^Debugger attached\.$/, /^Debugger ending on /, /^Waiting for the debugger to disconnect\.\.\.$/];
/** What fabric-shim prints before the error that stopped it from loading the chaincode. */
const shimPreamble = /^Major failure to start/;
/** The first line of an error as node and console.error print it (a stack's own lines are indented). */
const errorHeader = /^(?:Uncaught )?(?:[A-Za-z_$][\w$]*)?(?:Error|Exception)\b/;

/**
 * The chaincode's own words for why it ended, from the last lines it wrote to stderr: the last
 * error header ("Error: Cannot find module 'x'"), else its last line that is no stack frame.
 * @param {readonly string[]} lines
 * @returns {string | undefined}
 */
export function errorFromStderr(lines) {
  const own = lines.filter((line) => line.trim() !== '' && !inspectorLines.some((re) => re.test(line)) && !shimPreamble.test(line));
  const header = own.findLast((line) => errorHeader.test(line));
  const text = header ?? own.findLast((line) => !/^\s+at /.test(line) && !/^- /.test(line) && !/^\s*[{}]/.test(line));
  return text === undefined ? undefined : text.trim().slice(0, chaincodeErrorMaxChars);
}

/**
 * Why a chaincode process that nobody stopped ended, in words.
 * @param {{ endedBecause: string | null, heapExhausted: boolean, code: number | null, signal: string | null, oomKillsBefore: number, cgroup: CgroupReading }} exit
 */
export function describeExit({ endedBecause, heapExhausted, code, signal, oomKillsBefore, cgroup }) {
  if (endedBecause) return endedBecause;
  if (heapExhausted) return `stopped: chaincode JavaScript heap limit (${chaincodeHeapLimitMb} MB)`;
  if (signal === 'SIGKILL' && cgroup.oomKills > oomKillsBefore) return `killed: ${describeMemoryLimit(cgroup)}`;
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${code}`;
}

export class ChaincodeProcess {
  #logs;
  #onChange;
  /** @type {import('node:child_process').ChildProcess | null} */
  #child = null;
  /** @type {Omit<AgentChaincodeInfo, 'pid'>} */
  #info = { phase: 'stopped' };
  /** Set when the agent ends the process itself, and why. @type {string | null} */
  #endedBecause = null;
  /** The running chaincode is a Go program (run by Delve): its stop sweeps the chaincode uid. */
  #childIsGo = false;
  /**
   * A process with fabric-shim loaded, waiting to become the next chaincode (see chaincodeStandby.mjs);
   * the first org's peer only: another org's chaincode starts fresh.
   * @type {{ prepare(delayMs?: number): void, hold(): void, release(delayMs?: number): void, take(go: string): import('node:child_process').ChildProcess | undefined, close(): void }}
   */
  #standby;
  /** The org peer this chaincode registers with; absent: the first org's. @type {OrgPeer | undefined} */
  #peer;
  /** When the peer last went away (ms since the epoch; 0: never). */
  #peerLostAt = 0;

  /** @param {{ logs: LogHub, onChange: () => void, peer?: OrgPeer }} options */
  constructor({ logs, onChange, peer }) {
    this.#logs = logs;
    this.#onChange = onChange;
    this.#peer = peer;
    this.#standby = peer
      ? { prepare: () => undefined, hold: () => undefined, release: () => undefined, take: () => undefined, close: () => undefined }
      : new ChaincodeStandby({ env: chaincodeEnv({ packageId: '' }), shimArgs: ['start', '--peer.address', chaincodeAddress] });
  }

  /** Loads the next chaincode process ahead of need (dev mode, once the peer is up). */
  prepareStandby() {
    this.#standby.prepare();
  }

  /** @returns {AgentChaincodeInfo} */
  get info() {
    return { ...this.#info, pid: this.#child?.pid ?? null };
  }

  /**
   * Starts the chaincode registered as `definition.packageId`; kills any running one first.
   * @param {Pick<ChaincodeDefinition, 'name' | 'packageId'>} definition
   * @param {{ debug?: boolean, waitForDebugger?: boolean }} [options]
   * @returns {Promise<AgentChaincodeInfo>}
   */
  async start(definition, { debug = true, waitForDebugger = true } = {}) {
    await this.stop();
    // A Go build (goChaincode.mjs) runs as its binary, under Delve when debugging; anything else as Node.
    const goBinary = await findGoBinary();
    if (goBinary && this.#peer) throw new Error('Go chaincode runs on a one-org sandbox only: Delve debugs one process. Set the network back to one org to run it here.');
    if (!goBinary) {
      const pkg = JSON.parse(await fs.readFile(path.join(p.chaincodeDir, 'package.json'), 'utf8'));
      if (typeof pkg.main !== 'string') throw new Error('the chaincode package.json has no "main" entry');
    }

    const cgroupAtStart = await readCgroup();
    const go = goBinary ? goChaincodeCommand({ binary: goBinary, debug, waitForDebugger }) : undefined;
    const env = goBinary ? goChaincodeEnv({ packageId: definition.packageId }) : chaincodeEnv({ packageId: definition.packageId, ...(this.#peer ? { orgMspId: this.#peer.mspId } : {}) });
    // A Node chaincode takes over the standby process (fabric-shim already loaded) when one is ready.
    const fromStandby = go ? undefined : this.#standby.take(goMessage({ env, debug, waitForDebugger }));
    // Until it has registered (or ended), a Node chaincode has the sandbox's CPU to itself.
    if (!go) this.#standby.hold();
    const spawnFresh = () => {
      const { command, args } = go ? asChaincodeUser(go.command, go.args) : asChaincodeUser(process.execPath, chaincodeArgs({ packageId: definition.packageId, debug, waitForDebugger, ...(this.#peer ? { peer: this.#peer } : {}) }));
      return spawn(command, args, { cwd: p.chaincodeDir, env, detached: true });
    };
    const child = fromStandby ?? spawnFresh();
    this.#childIsGo = go !== undefined;
    const output = watchOutput(child, {
      onLinger: () => {
        // The program has ended but an attached debugger holds the process open: end it, so its end shows.
        if (this.#child === child) {
          this.#endedBecause = lingered;
          killGroup(child);
        }
      },
      onRegistered: () => {
        // The server waits for this before it asks the peer for the chaincode: a request before it
        // makes the peer dial the placeholder package's address and log a connection error.
        if (this.#child !== child || this.#info.phase !== 'running') return;
        this.#info = { ...this.#info, registered: true };
        this.#onChange();
        // The next one loads once this one is up, not while it competes with it for the CPU.
        this.#standby.release(standbySpawnDelayMs);
      },
    });
    if (goBinary) {
      watchGoProcess(child, {
        onRegistered: () => {
          if (this.#child !== child || this.#info.phase !== 'running') return;
          this.#info = { ...this.#info, registered: true };
          this.#onChange();
        },
        onProgramEnded: (why) => {
          // Delve outlives the program it ran: end it, so the program's end shows as the process's.
          if (this.#child !== child) return;
          this.#endedBecause = why;
          killGroup(child);
        },
      });
    }
    this.#child = child;
    const startedAt = Date.now();
    this.#info = { phase: 'running', name: definition.name, packageId: definition.packageId, debug, startedAt: new Date().toISOString(), registered: false };
    this.#logs.write('sandbox', `Chaincode ${definition.name} started (pid ${child.pid}${fromStandby ? ', preloaded' : ''})${debug ? ' with the inspector' : ''}`);
    this.#logs.attach('chaincode', child);
    child.on('error', (err) => this.#logs.write('sandbox', `the chaincode could not start: ${err.message}`));
    child.on('exit', async (code, signal) => {
      if (this.#child !== child) return;
      this.#child = null;
      const expected = this.#info.phase === 'stopping';
      // Stopped or crashed, it no longer starts: the standbys go on (a Run meanwhile holds them again).
      this.#standby.release(standbySpawnDelayMs);
      let endedBecause = this.#endedBecause;
      this.#endedBecause = null;
      /** @type {string | undefined} */
      let reason;
      if (!expected) {
        const cgroup = await readCgroup();
        // The peer's end ends the process too (its stream closes; under a debugger it lingers, and is
        // ended for that): if the peer went during its life, that is why, whichever the agent heard of
        // first. A process that lingered gives the peer's exit a moment to arrive.
        if (endedBecause === lingered) await new Promise((resolve) => setTimeout(resolve, peerExitSettleMs));
        if (this.#peerLostAt >= startedAt) endedBecause = peerRestarted;
        reason = describeExit({ endedBecause, heapExhausted: output.heapExhausted, code, signal, oomKillsBefore: cgroupAtStart.oomKills, cgroup });
        this.#logs.write('sandbox', `The chaincode process ${reason}. Fix the code and press Run to start it again.`);
        // A Run during the read above has started a new process: its status stands.
        if (this.#child !== null) return;
      }
      const lastError = !expected && !output.registered ? errorFromStderr(output.stderrTail) : undefined;
      this.#info = { ...this.#info, registered: false, phase: expected ? 'stopped' : 'crashed', exitCode: code, signal, ...(reason ? { reason } : {}), ...(lastError ? { lastError } : {}) };
      this.#onChange();
    });
    this.#onChange();
    return this.info;
  }

  /**
   * The peer went away. A dev-mode chaincode does not register again by itself (fabric-shim
   * gives up, and under the inspector the process lingers), so end it and say why.
   */
  peerLost() {
    this.#peerLostAt = Date.now();
    const child = this.#child;
    if (!child || this.#info.phase !== 'running') return;
    this.#endedBecause = peerRestarted;
    killGroup(child);
  }

  /** Ends the chaincode and the standby (the agent stops). */
  async close() {
    this.#standby.close();
    await this.stop();
  }

  async stop() {
    const child = this.#child;
    if (!child) return;
    this.#info = { ...this.#info, phase: 'stopping', registered: false };
    await new Promise((resolve) => {
      child.once('exit', resolve);
      killGroup(child);
    });
    // Only after a Go program: the sweep would also end a Node standby, which runs under the same uid.
    if (this.#childIsGo) await killChaincodeUidProcesses();
  }
}

/**
 * Follows what the chaincode prints for what the agent must know: whether it registered with the
 * peer (`onRegistered`, once), whether V8 ran out of heap (the exit alone would only say SIGABRT),
 * and its last stderr lines; calls `onLinger` when node says an attached debugger keeps the ended
 * program alive.
 * @param {import('node:child_process').ChildProcess} child
 * @param {{ onLinger: () => void, onRegistered: () => void }} callbacks
 */
function watchOutput(child, { onLinger, onRegistered }) {
  /** @type {{ registered: boolean, heapExhausted: boolean, stderrTail: string[] }} */
  const state = { registered: false, heapExhausted: false, stderrTail: [] };
  let pending = '';
  child.stderr?.on('data', (chunk) => {
    const text = String(chunk);
    if (text.includes('heap out of memory')) state.heapExhausted = true;
    const lines = (pending + text).split('\n');
    pending = (lines.pop() ?? '').slice(-chaincodeErrorMaxChars);
    for (const line of lines) {
      state.stderrTail.push(line.replace(/\r$/, '').slice(0, chaincodeErrorMaxChars));
      if (line.startsWith(lingerMessage)) onLinger();
    }
    state.stderrTail.splice(0, Math.max(0, state.stderrTail.length - chaincodeStderrTailLines));
  });
  // The message may straddle two chunks: look at the end of the previous one too.
  let tail = '';
  child.stdout?.on('data', (chunk) => {
    if (state.registered) return;
    const text = tail + String(chunk);
    tail = text.slice(-registeredMessage.length);
    if (!text.includes(registeredMessage)) return;
    state.registered = true;
    onRegistered();
  });
  return state;
}

const peerRestarted = 'stopped: the peer restarted, and a dev-mode chaincode must register with it again';
const lingered = 'ended (the attached debugger held the finished process open)';
/** How long a process that lingered waits for news of the peer's exit before its end is reported. */
const peerExitSettleMs = 250;

/** Node prints this when the program has ended but a debugger session keeps the process. */
const lingerMessage = 'Waiting for the debugger to disconnect';
/** fabric-shim logs this once the peer has accepted the chaincode's registration. */
const registeredMessage = 'State transferred to "ready"';

/**
 * Kills the whole process group: whatever the chaincode spawned goes too.
 * @param {import('node:child_process').ChildProcess} child
 */
function killGroup(child) {
  try {
    if (child.pid === undefined) throw new Error('no pid');
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
