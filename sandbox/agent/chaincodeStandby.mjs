// @ts-check
// Keeps chaincode processes loaded ahead of need (standbyProcess.mjs), so
// that Run and a save start the chaincode without waiting for node to load
// fabric-shim. The standby is spawned exactly like the chaincode (its uid, no
// capabilities, its oom score, its heap limit, a process group of its own);
// until the go it has run no user code and holds no workspace data.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { chaincodeHeapLimitMb, inspectorPort, loopback, standbyProcessCount, standbyStaggerMs } from './constants.mjs';
import * as p from './paths.mjs';
import { asChaincodeUser } from './privileges.mjs';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */

export const standbyProcessFile = path.join(import.meta.dirname, 'standbyProcess.mjs');

/** Node's flags for a standby, the chaincode's own; the runtime's code cache is made under the same (codeCacheBuild.mjs). */
export const standbyNodeFlags = [`--max-old-space-size=${chaincodeHeapLimitMb}`];

/**
 * The node arguments of a standby: it becomes `cli.js <shimArgs>` (which must not name the chaincode).
 * @param {string[]} shimArgs
 * @returns {string[]}
 */
export function standbyArgs(shimArgs) {
  return [...standbyNodeFlags, standbyProcessFile, p.chaincodeRuntime, p.chaincodeDir, p.chaincodeCodeCache, ...shimArgs];
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
  #count;
  /** Standbys loaded or loading, oldest first. @type {ChildProcess[]} */
  #children = [];
  /** @type {NodeJS.Timeout | null} */
  #timer = null;
  #closed = false;
  /** While a chaincode starts, the standbys are stopped (SIGSTOP) and none is spawned. */
  #held = false;

  /**
   * @param {{ env: Record<string, string>, shimArgs: string[], count?: number }} options what every chaincode gets: environment (the go
   *   adds its own) and CLI arguments; how many standbys to keep (two, so that saves in quick succession each find one loaded)
   */
  constructor({ env, shimArgs, count = standbyProcessCount }) {
    this.#env = env;
    this.#shimArgs = shimArgs;
    this.#count = count;
  }

  /** Spawns the missing standbys, the first in `delayMs` (at once when 0), one after another. */
  prepare(delayMs = 0) {
    if (this.#closed || this.#held || this.#timer || this.#alive().length >= this.#count) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#spawn();
      // The next one loads after this one, not beside it: two loading at once slow the chaincode that runs.
      this.prepare(standbyStaggerMs);
    }, delayMs);
  }

  /**
   * Stops the standbys (one still loading would take half of the sandbox's one CPU from the chaincode
   * that starts) and spawns none until {@link release}. A loaded one waits on stdin: stopping it costs nothing.
   */
  hold() {
    if (this.#closed) return;
    this.#held = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const child of this.#alive()) signalGroup(child, 'SIGSTOP');
  }

  /** Lets the standbys go on loading, and spawns the missing ones in `delayMs`. */
  release(delayMs = 0) {
    if (this.#closed || !this.#held) return;
    this.#held = false;
    for (const child of this.#alive()) signalGroup(child, 'SIGCONT');
    this.prepare(delayMs);
  }

  /** @returns {ChildProcess[]} */
  #alive() {
    this.#children = this.#children.filter((child) => child.exitCode === null && child.signalCode === null);
    return this.#children;
  }

  #spawn() {
    if (this.#closed || this.#alive().length >= this.#count) return;
    const { command, args } = asChaincodeUser(process.execPath, standbyArgs(this.#shimArgs));
    // Its working directory is not the chaincode's: that directory is replaced whole on each build.
    const child = spawn(command, args, { cwd: p.scratchDir, env: this.#env, detached: true });
    child.on('error', () => undefined);
    // A standby that died unseen makes the go's write fail: its exit is reported as the chaincode's.
    child.stdin?.on('error', () => undefined);
    child.on('exit', () => {
      this.#children = this.#children.filter((c) => c !== child);
    });
    this.#children.push(child);
  }

  /**
   * Takes the oldest waiting standby (loaded or still loading) and sends it the go; undefined when
   * there is none alive. The caller owns the process from here on.
   * @param {string} go the line from {@link goMessage}
   * @returns {ChildProcess | undefined}
   */
  take(go) {
    for (const child of this.#alive()) {
      this.#children = this.#children.filter((c) => c !== child);
      if (!child.stdin?.writable) continue;
      signalGroup(child, 'SIGCONT');
      child.stdin.end(go);
      return child;
    }
    return undefined;
  }

  /** Ends the waiting standbys and spawns no more. */
  close() {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const child of this.#children.splice(0)) signalGroup(child, 'SIGKILL');
  }
}

/**
 * Signals a standby's process group (it is spawned detached, a group of its own).
 * @param {ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function signalGroup(child, signal) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
