// @ts-check
// Keeps a long-running process (orderer, peer) alive: starts it, pipes its
// output to the log hub, and restarts it with a back-off if it dies.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { maxRestartBackoffMs, stopGraceMs } from './constants.mjs';
import * as p from './paths.mjs';
import { withoutCapabilities } from './privileges.mjs';

/**
 * @typedef {import('./logs.mjs').LogWriter} LogHub
 * @typedef {import('./logs.mjs').LogSource} LogSource
 * @typedef {{ name: LogSource, command: string, args: string[], env: NodeJS.ProcessEnv, logs: LogHub, onChange: () => void }} SupervisedOptions
 */

/**
 * The wait before restart number `restarts`: doubling from 500 ms, capped.
 * @param {number} restarts
 */
export function restartDelayMs(restarts) {
  return Math.min(maxRestartBackoffMs, 250 * 2 ** Math.min(restarts, 6));
}

export class Supervised {
  #name;
  #command;
  #args;
  #env;
  #logs;
  #onChange;
  /** @type {import('node:child_process').ChildProcess | null} */
  #child = null;
  #stopping = false;
  #restarts = 0;
  /** @type {NodeJS.Timeout | null} */
  #timer = null;

  /** @param {SupervisedOptions} options */
  constructor({ name, command, args, env, logs, onChange }) {
    this.#name = name;
    this.#command = command;
    this.#args = args;
    this.#env = env;
    this.#logs = logs;
    this.#onChange = onChange;
  }

  get running() {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get pid() {
    return this.#child?.pid ?? null;
  }

  get restarts() {
    return this.#restarts;
  }

  start() {
    this.#stopping = false;
    const { command, args } = withoutCapabilities(path.join(p.fabricBin, this.#command), this.#args);
    const child = spawn(command, args, { env: this.#env, cwd: p.scratchDir });
    this.#child = child;
    this.#logs.attach(this.#name, child);
    child.on('error', (err) => this.#logs.write('sandbox', `${this.#name} could not start: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (this.#child === child) this.#child = null;
      this.#onChange();
      if (this.#stopping) return;
      this.#restarts += 1;
      const delay = restartDelayMs(this.#restarts);
      this.#logs.write('sandbox', `${this.#name} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      this.#timer = setTimeout(() => this.start(), delay);
    });
    this.#onChange();
    return child;
  }

  async stop() {
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    const child = this.#child;
    if (!child) return;
    await new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve(undefined);
      });
      child.kill('SIGTERM');
    });
  }
}
