// Keeps a long-running process (orderer, peer) alive: starts it, pipes its
// output to the log hub, and restarts it with a back-off if it dies.
import { spawn } from 'node:child_process';
import path from 'node:path';
import * as p from './paths.mjs';

const maxBackoffMs = 10_000;

export class Supervised {
  #name;
  #command;
  #args;
  #env;
  #logs;
  #onChange;
  #child = null;
  #stopping = false;
  #restarts = 0;
  #timer = null;

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
    const child = spawn(path.join(p.fabricBin, this.#command), this.#args, { env: this.#env, cwd: p.scratchDir });
    this.#child = child;
    this.#logs.attach(this.#name, child);
    child.on('error', (err) => this.#logs.write('sandbox', `${this.#name} could not start: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (this.#child === child) this.#child = null;
      this.#onChange();
      if (this.#stopping) return;
      this.#restarts += 1;
      const delay = Math.min(maxBackoffMs, 250 * 2 ** Math.min(this.#restarts, 6));
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
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
