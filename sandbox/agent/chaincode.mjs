// @ts-check
// The user's chaincode as a plain node process under a uid of its own (see
// privileges.mjs): started with the V8 inspector on the container's loopback
// (only the agent's token-checked proxy reaches it), restarted by killing the
// old process group first.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { chaincodeHeapLimitMb, inspectorPort, loopback } from './constants.mjs';
import { chaincodeAddress } from './fabric.mjs';
import { describeMemoryLimit, readCgroup } from './limits.mjs';
import * as p from './paths.mjs';
import { asChaincodeUser } from './privileges.mjs';

/**
 * @typedef {import('../../protocol/agent.ts').AgentChaincodeInfo} AgentChaincodeInfo
 * @typedef {import('../../protocol/agent.ts').ChaincodeDefinition} ChaincodeDefinition
 * @typedef {import('./logs.mjs').LogHub} LogHub
 * @typedef {import('./limits.mjs').CgroupReading} CgroupReading
 */

/**
 * The node arguments that start the chaincode registered as `packageId`.
 * @param {{ packageId: string, debug: boolean }} options
 */
export function chaincodeArgs({ packageId, debug }) {
  return [
    `--max-old-space-size=${chaincodeHeapLimitMb}`,
    ...(debug ? [`--inspect-brk=${loopback}:${inspectorPort}`] : []),
    path.join(p.chaincodeRuntime, 'fabric-shim', 'cli.js'),
    'start',
    '--peer.address',
    chaincodeAddress,
    '--chaincode-id-name',
    packageId,
  ];
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

  /** @param {{ logs: LogHub, onChange: () => void }} options */
  constructor({ logs, onChange }) {
    this.#logs = logs;
    this.#onChange = onChange;
  }

  /** @returns {AgentChaincodeInfo} */
  get info() {
    return { ...this.#info, pid: this.#child?.pid ?? null };
  }

  /**
   * Starts the chaincode registered as `definition.packageId`; kills any running one first.
   * @param {ChaincodeDefinition} definition
   * @param {{ debug?: boolean }} [options]
   * @returns {Promise<AgentChaincodeInfo>}
   */
  async start(definition, { debug = true } = {}) {
    await this.stop();
    const pkg = JSON.parse(await fs.readFile(path.join(p.chaincodeDir, 'package.json'), 'utf8'));
    if (typeof pkg.main !== 'string') throw new Error('the chaincode package.json has no "main" entry');

    // A clean environment: nothing of ours reaches user code.
    const env = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: p.scratchDir,
      NODE_PATH: p.chaincodeRuntime,
      NODE_ENV: 'development',
      CORE_PEER_TLS_ENABLED: 'false',
      CORE_CHAINCODE_LOGGING_LEVEL: 'info',
    };
    const cgroupAtStart = await readCgroup();
    const { command, args } = asChaincodeUser(process.execPath, chaincodeArgs({ packageId: definition.packageId, debug }));
    const child = spawn(command, args, { cwd: p.chaincodeDir, env, detached: true });
    // V8 prints this before it aborts on a full heap; the exit alone would only say SIGABRT.
    let heapExhausted = false;
    child.stderr?.on('data', (chunk) => {
      if (String(chunk).includes('heap out of memory')) heapExhausted = true;
    });
    this.#child = child;
    this.#info = { phase: 'running', name: definition.name, packageId: definition.packageId, debug, startedAt: new Date().toISOString() };
    this.#logs.write('sandbox', `Chaincode ${definition.name} started (pid ${child.pid})${debug ? ' with the inspector' : ''}`);
    this.#logs.attach('chaincode', child);
    child.on('error', (err) => this.#logs.write('sandbox', `the chaincode could not start: ${err.message}`));
    child.on('exit', async (code, signal) => {
      if (this.#child !== child) return;
      this.#child = null;
      const expected = this.#info.phase === 'stopping';
      const endedBecause = this.#endedBecause;
      this.#endedBecause = null;
      /** @type {string | undefined} */
      let reason;
      if (!expected) {
        const cgroup = await readCgroup();
        reason = describeExit({ endedBecause, heapExhausted, code, signal, oomKillsBefore: cgroupAtStart.oomKills, cgroup });
        this.#logs.write('sandbox', `The chaincode process ${reason}. Fix the code and press Run to start it again.`);
        // A Run during the read above has started a new process: its status stands.
        if (this.#child !== null) return;
      }
      this.#info = { ...this.#info, phase: expected ? 'stopped' : 'crashed', exitCode: code, signal, ...(reason ? { reason } : {}) };
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
    const child = this.#child;
    if (!child || this.#info.phase !== 'running') return;
    this.#endedBecause = 'stopped: the peer restarted, and a dev-mode chaincode must register with it again';
    killGroup(child);
  }

  async stop() {
    const child = this.#child;
    if (!child) return;
    this.#info = { ...this.#info, phase: 'stopping' };
    await new Promise((resolve) => {
      child.once('exit', resolve);
      killGroup(child);
    });
  }
}

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
