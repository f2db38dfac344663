// The user's chaincode as a plain node process: started with the V8 inspector
// on the container's loopback (only the agent's token-checked proxy reaches it),
// restarted by killing the old process group first.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { chaincodeAddress } from './fabric.mjs';
import { describeMemoryLimit, readCgroup } from './limits.mjs';
import * as p from './paths.mjs';

export const inspectorPort = 9229;
/** V8's old-space cap for the chaincode: a memory bomb hits this before the container limit. */
const heapLimitMb = Number(process.env.STUDIO_CHAINCODE_HEAP_MB ?? 256);

export class ChaincodeProcess {
  #logs;
  #onChange;
  #child = null;
  #info = { phase: 'stopped' };
  /** Set when the agent ends the process itself, and why. */
  #endedBecause = null;

  constructor({ logs, onChange }) {
    this.#logs = logs;
    this.#onChange = onChange;
  }

  get info() {
    return { ...this.#info, pid: this.#child?.pid ?? null };
  }

  /** Starts the chaincode registered as `definition.packageId`; kills any running one first. */
  async start(definition, { debug = true } = {}) {
    await this.stop();
    const pkg = JSON.parse(await fs.readFile(path.join(p.chaincodeDir, 'package.json'), 'utf8'));
    if (typeof pkg.main !== 'string') throw new Error('the chaincode package.json has no "main" entry');

    const args = [
      `--max-old-space-size=${heapLimitMb}`,
      ...(debug ? [`--inspect-brk=127.0.0.1:${inspectorPort}`] : []),
      path.join(p.chaincodeRuntime, 'fabric-shim', 'cli.js'),
      'start',
      '--peer.address',
      chaincodeAddress,
      '--chaincode-id-name',
      definition.packageId,
    ];
    // A clean environment: the agent's token and anything else of ours stays out of user code.
    const env = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: path.join(p.scratchDir, 'chaincode-home'),
      NODE_PATH: p.chaincodeRuntime,
      NODE_ENV: 'development',
      CORE_PEER_TLS_ENABLED: 'false',
      CORE_CHAINCODE_LOGGING_LEVEL: 'info',
    };
    await fs.mkdir(env.HOME, { recursive: true });
    const cgroupAtStart = await readCgroup();
    const child = spawn(process.execPath, args, { cwd: p.chaincodeDir, env, detached: true });
    // V8 prints this before it aborts on a full heap; the exit alone would only say SIGABRT.
    let heapExhausted = false;
    child.stderr?.on('data', (chunk) => {
      if (String(chunk).includes('heap out of memory')) heapExhausted = true;
    });
    // Under memory pressure the kernel should kill the user's code, not the peer.
    fs.writeFile(`/proc/${child.pid}/oom_score_adj`, '1000').catch(() => undefined);
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
      let reason;
      if (!expected) {
        const cgroup = await readCgroup();
        if (endedBecause) reason = endedBecause;
        else if (heapExhausted) reason = `stopped: chaincode JavaScript heap limit (${heapLimitMb} MB)`;
        else if (signal === 'SIGKILL' && cgroup.oomKills > cgroupAtStart.oomKills) reason = `killed: ${describeMemoryLimit(cgroup)}`;
        else if (signal) reason = `was killed by ${signal}`;
        else reason = `exited with code ${code}`;
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
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }

  async stop() {
    const child = this.#child;
    if (!child) return;
    this.#info = { ...this.#info, phase: 'stopping' };
    await new Promise((resolve) => {
      child.once('exit', resolve);
      // The whole process group: whatever the chaincode spawned goes too.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    });
  }
}
