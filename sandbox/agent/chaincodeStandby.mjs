// @ts-check
// Keeps one chaincode process loaded ahead of need (standbyProcess.mjs), so
// that Run and a save start the chaincode without waiting for node to load
// fabric-shim. The standby is spawned exactly like the chaincode (its uid, no
// capabilities, its oom score, its heap limit, a process group of its own);
// until the go it has run no user code and holds no workspace data.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { chaincodeHeapLimitMb, inspectorPort, loopback } from './constants.mjs';
import * as p from './paths.mjs';
import { asChaincodeUser } from './privileges.mjs';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */

export const standbyProcessFile = path.join(import.meta.dirname, 'standbyProcess.mjs');

/**
 * The node arguments of a standby: it becomes `cli.js <shimArgs>` (which must not name the chaincode).
 * @param {string[]} shimArgs
 * @returns {string[]}
 */
export function standbyArgs(shimArgs) {
  return [`--max-old-space-size=${chaincodeHeapLimitMb}`, standbyProcessFile, p.chaincodeRuntime, p.chaincodeDir, ...shimArgs];
}

/**
 * The go line: the chaincode's environment (its ID in CORE_CHAINCODE_ID_NAME) and its inspector.
 * @param {{ env: Record<string, string>, debug: boolean, waitForDebugger: boolean }} options
 */
export function goMessage({ env, debug, waitForDebugger }) {
  const inspector = debug ? { host: loopback, port: inspectorPort, wait: waitForDebugger } : null;
  return `${JSON.stringify({ env, inspector })}\n`;
}

export class ChaincodeStandby {
  #env;
  #shimArgs;
  /** @type {ChildProcess | null} */
  #child = null;
  /** @type {NodeJS.Timeout | null} */
  #timer = null;
  #closed = false;

  /** @param {{ env: Record<string, string>, shimArgs: string[] }} options what every chaincode gets: environment (the go adds its own) and CLI arguments */
  constructor({ env, shimArgs }) {
    this.#env = env;
    this.#shimArgs = shimArgs;
  }

  /** Spawns a standby in `delayMs` (at once when 0), unless one waits already. */
  prepare(delayMs = 0) {
    if (this.#closed || this.#child || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#spawn();
    }, delayMs);
  }

  #spawn() {
    if (this.#closed || this.#child) return;
    const { command, args } = asChaincodeUser(process.execPath, standbyArgs(this.#shimArgs));
    // Its working directory is not the chaincode's: that directory is replaced whole on each build.
    const child = spawn(command, args, { cwd: p.scratchDir, env: this.#env, detached: true });
    child.on('error', () => undefined);
    // A standby that died unseen makes the go's write fail: its exit is reported as the chaincode's.
    child.stdin?.on('error', () => undefined);
    child.on('exit', () => {
      if (this.#child === child) this.#child = null;
    });
    this.#child = child;
  }

  /**
   * Takes the waiting standby (loaded or still loading) and sends it the go; undefined when there
   * is none alive. The caller owns the process from here on.
   * @param {string} go the line from {@link goMessage}
   * @returns {ChildProcess | undefined}
   */
  take(go) {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null || !child.stdin?.writable) return undefined;
    child.stdin.end(go);
    return child;
  }

  /** Ends the waiting standby and spawns no more. */
  close() {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const child = this.#child;
    this.#child = null;
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  }
}
