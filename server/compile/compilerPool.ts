/**
 * Runs compiles in worker processes with limits, so no compile can stall the
 * server: its event loop only waits for a message. Each worker has a heap cap
 * and each compile a deadline; a worker that runs into either is ended and
 * the compile fails with an error naming the limit. At most `size` compiles
 * run at once; the rest wait in a queue, in order.
 *
 * Workers are child processes rather than threads: the garbage collector of
 * a heavy compile then runs on the worker's own threads, which are niced
 * (compileWorker.ts), instead of on the helper threads the server shares.
 *
 * Workers live on between compiles and keep the last Programs of the
 * workspaces they compiled (typescriptBuild.ts), so a workspace goes back to
 * the worker that compiled it last when that one is free, and its recompile
 * after a small edit is incremental.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileMemoryMb, compileTimeoutMs, compileWorkerStartTimeoutMs, maxCachedCompilerPrograms, maxConcurrentCompiles } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { CompileJob, CompileJobResult, FromCompileWorker, ToCompileWorker } from './compileJob.ts';

/** Limits of a pool; the server's shared pool takes them from config.ts. */
export interface CompilerPoolOptions {
  /** Compiles (and workers) at once; further compiles wait their turn. */
  readonly size: number;
  /** A compile running longer than this is stopped and its worker ended. */
  readonly timeoutMs: number;
  /** The heap (V8 old generation) one worker may use; past it the worker is ended. */
  readonly memoryMb: number;
}

/** Compiles off the server's process; see the module comment. */
export interface CompilerPool {
  /** Compiles that run at once (one worker each). */
  readonly size: number;
  /** Runs one compile in a worker. Rejects with a `limit` error when it runs into the time or memory limit. */
  compile(job: CompileJob): Promise<CompileJobResult>;
  /** Drops what every worker keeps of a workspace (call when the workspace is deleted). */
  forget(workspaceDir: string): void;
  /** Workers alive now: started and not ended. */
  liveWorkers(): number;
  /** Ends every worker; compiles still waiting fail. */
  close(): Promise<void>;
}

// The worker is TypeScript like the rest of the server and runs under tsx,
// whether the server was started with `node --import tsx`, `tsx` or vitest.
const workerEntry = fileURLToPath(new URL('./compileWorker.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');
/** What V8 prints when a heap reaches its limit. */
const outOfMemory = /JavaScript heap out of memory|Reached heap limit/;
const stderrTailChars = 4096;

let nextJobId = 1;

function describeJob(job: CompileJob): string {
  const what = job.kind === 'typescript' ? 'TypeScript compile' : 'JavaScript syntax check';
  return `The ${what} of ${path.basename(job.workspaceDir)}`;
}

const simplify = 'Simplify the code that makes it heavy (deeply recursive conditional or template literal types, huge unions or files) and run again.';

/** One worker process, started on first use and again after it was ended. */
class CompileWorker {
  readonly #options: CompilerPoolOptions;
  #child: ChildProcess | undefined;
  #ready: Promise<ChildProcess> | undefined;
  #closed: Promise<void> = Promise.resolve();
  /** The end of the worker's stderr: V8's out-of-memory report, or why it crashed. */
  #stderrTail = '';
  /** Workspaces whose Program the worker keeps, least recently compiled first (mirrors typescriptBuild.ts). */
  readonly #kept = new Set<string>();
  #busy = false;
  #lastUsedMs = 0;

  constructor(options: CompilerPoolOptions) {
    this.#options = options;
  }

  get busy(): boolean {
    return this.#busy;
  }

  get alive(): boolean {
    return this.#child !== undefined;
  }

  get lastUsedMs(): number {
    return this.#lastUsedMs;
  }

  keeps(workspaceDir: string): boolean {
    return this.#kept.has(workspaceDir);
  }

  forget(workspaceDir: string): void {
    this.#kept.delete(workspaceDir);
    if (this.#child?.connected) this.#child.send({ type: 'forget', workspaceDir } satisfies ToCompileWorker);
  }

  async compile(job: CompileJob): Promise<CompileJobResult> {
    this.#busy = true;
    try {
      const child = await this.#start(job);
      this.#hold(child, true);
      const result = await this.#send(child, job);
      if (job.kind === 'typescript') this.#keep(job.workspaceDir);
      return result;
    } finally {
      // An idle worker must not keep the server's process alive (a script that compiled once, a test run).
      if (this.#child !== undefined) this.#hold(this.#child, false);
      this.#busy = false;
      this.#lastUsedMs = Date.now();
    }
  }

  /** Ends the worker; resolves once its process has exited and its pipes are closed. */
  async end(): Promise<void> {
    const child = this.#child;
    const closed = this.#closed;
    this.#lost();
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closed;
  }

  #hold(child: ChildProcess, busy: boolean): void {
    // A piped stderr is a socket, though typed as a plain stream.
    for (const handle of [child, child.channel, child.stderr as Socket | null]) {
      if (busy) handle?.ref();
      else handle?.unref();
    }
  }

  #lost(): void {
    this.#child = undefined;
    this.#ready = undefined;
    this.#kept.clear();
  }

  #keep(workspaceDir: string): void {
    this.#kept.delete(workspaceDir);
    this.#kept.add(workspaceDir);
    for (const oldest of this.#kept) {
      if (this.#kept.size <= maxCachedCompilerPrograms) break;
      this.#kept.delete(oldest);
    }
  }

  #start(job: CompileJob): Promise<ChildProcess> {
    if (this.#ready !== undefined) return this.#ready;
    const child = fork(workerEntry, [], {
      // Not the server's own flags (an inspector port): only the loader and the heap cap.
      execArgv: ['--import', tsxLoader, `--max-old-space-size=${this.#options.memoryMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#child = child;
    this.#stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-stderrTailChars);
    });
    this.#closed = new Promise((resolve) => child.once('close', () => resolve()));
    // Always listened to, so a failure while idle never becomes an uncaught 'error' event.
    child.on('error', () => undefined);
    child.on('exit', () => {
      if (this.#child === child) this.#lost();
    });
    const ready = new Promise<ChildProcess>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`it did not start within ${compileWorkerStartTimeoutMs / 1000} s`)), compileWorkerStartTimeoutMs);
      const onMessage = (message: FromCompileWorker) => {
        if (message.type !== 'ready') return;
        cleanup();
        resolve(child);
      };
      const fail = (cause: unknown) => {
        cleanup();
        void this.end().then(() => reject(new StudioError(ErrorCode.Internal, `${describeJob(job)} could not start a compile worker; try again.`, { cause })));
      };
      const onClose = (code: number | null, signal: string | null) => fail(new Error(`the worker exited (${signal ?? `code ${code}`}): ${this.#stderrTail}`));
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('error', fail);
        child.off('close', onClose);
      };
      child.on('message', onMessage);
      child.once('error', fail);
      child.once('close', onClose);
    });
    this.#ready = ready;
    return ready;
  }

  #send(child: ChildProcess, job: CompileJob): Promise<CompileJobResult> {
    const id = nextJobId++;
    const { timeoutMs, memoryMb } = this.#options;
    return new Promise<CompileJobResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        const limit = `took longer than ${timeoutMs / 1000} s (the compile time limit) and was stopped`;
        fail(new StudioError(ErrorCode.Limit, `${describeJob(job)} ${limit}. ${simplify}`));
      }, timeoutMs);
      const onMessage = (message: FromCompileWorker) => {
        if (message.type === 'ready' || message.id !== id) return;
        cleanup();
        if (message.type === 'done') resolve(message.result);
        else reject(new StudioError(ErrorCode.Internal, `${describeJob(job)} failed: ${message.message}`));
      };
      // 'close' comes after the worker's stderr is read to the end, so V8's last words are in the tail.
      const onClose = (code: number | null, signal: string | null) => {
        const cause = new Error(`the compile worker exited (${signal ?? `code ${code}`}): ${this.#stderrTail}`);
        const limit = `used more than ${memoryMb} MB (the compile memory limit) and was stopped`;
        fail(
          outOfMemory.test(this.#stderrTail)
            ? new StudioError(ErrorCode.Limit, `${describeJob(job)} ${limit}. ${simplify}`, { cause })
            : new StudioError(ErrorCode.Internal, `${describeJob(job)} failed: the compile worker stopped unexpectedly; try again.`, { cause }),
        );
      };
      // The worker is ended before the promise settles, so the caller never sees a failed compile still running.
      const fail = (err: StudioError) => {
        cleanup();
        void this.end().then(() => reject(err));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('close', onClose);
      };
      child.on('message', onMessage);
      child.once('close', onClose);
      child.send({ type: 'compile', id, job } satisfies ToCompileWorker);
    });
  }
}

interface Waiting {
  job: CompileJob;
  resolve: (result: CompileJobResult) => void;
  reject: (err: unknown) => void;
}

/** A pool of compile workers with the given limits; workers start when first needed. */
export function createCompilerPool(options: CompilerPoolOptions): CompilerPool {
  if (!Number.isInteger(options.size) || options.size < 1) {
    throw new StudioError(ErrorCode.Internal, `The number of compiles at once must be a whole number of at least 1, not ${options.size} (STUDIO_MAX_CONCURRENT_COMPILES).`);
  }
  const workers = Array.from({ length: options.size }, () => new CompileWorker(options));
  const waiting: Waiting[] = [];
  let closed = false;

  /** A free worker for the workspace: the one that keeps its Program, else a started one, least recently used. */
  function freeWorkerFor(workspaceDir: string): CompileWorker | undefined {
    const free = workers.filter((w) => !w.busy);
    const started = free.filter((w) => w.alive).sort((a, b) => a.lastUsedMs - b.lastUsedMs);
    return free.find((w) => w.keeps(workspaceDir)) ?? started[0] ?? free[0];
  }

  function dispatch(): void {
    for (let next = waiting[0]; next !== undefined; next = waiting[0]) {
      const worker = freeWorkerFor(next.job.workspaceDir);
      if (worker === undefined) return;
      waiting.shift();
      const { job, resolve, reject } = next;
      worker
        .compile(job)
        .then(resolve, reject)
        .finally(dispatch);
    }
  }

  return {
    size: options.size,
    compile(job) {
      if (closed) return Promise.reject(new StudioError(ErrorCode.Internal, 'The compiler is shut down: the server is stopping.'));
      return new Promise<CompileJobResult>((resolve, reject) => {
        waiting.push({ job, resolve, reject });
        dispatch();
      });
    },
    forget(workspaceDir) {
      for (const worker of workers) worker.forget(workspaceDir);
    },
    liveWorkers() {
      return workers.filter((w) => w.alive).length;
    },
    async close() {
      closed = true;
      for (const { reject } of waiting.splice(0)) reject(new StudioError(ErrorCode.Internal, 'The compiler is shut down: the server is stopping.'));
      await Promise.all(workers.map((w) => w.end()));
    },
  };
}

let shared: CompilerPool | undefined;

/** The server's pool, with the limits in config.ts; its idle workers never keep the process alive. */
export function sharedCompilerPool(): CompilerPool {
  shared ??= createCompilerPool({ size: maxConcurrentCompiles, timeoutMs: compileTimeoutMs, memoryMb: compileMemoryMb });
  return shared;
}
