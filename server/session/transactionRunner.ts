/**
 * Submits and evaluates the IDE's transactions on a session's sandbox:
 * starts an idle-stopped sandbox again first, counts what is in flight (the
 * idle stop never stops a sandbox with an answer pending), and warns about a
 * transaction that runs on and on, since Fabric cannot interrupt it.
 */
import { errorDataOf } from '../../protocol/errorData.ts';
import type { InvokeResult, ParamsOf } from '../../protocol/messages.ts';
import { longTransactionTickMs, longTransactionWarnMs, sandboxNanoCpus } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { ChaincodeDebugger } from './chaincodeDebugger.ts';
import type { SandboxLink } from './sandboxLink.ts';
import type { SessionReporter } from './sessionReporter.ts';

/** How the CPU limit reads in messages, e.g. "CPU quota 1 core". */
const cpuQuotaText = `CPU quota ${sandboxNanoCpus / 1e9} core${sandboxNanoCpus === 1e9 ? '' : 's'}`;

export interface TransactionRunnerOptions {
  readonly link: SandboxLink;
  readonly reporter: SessionReporter;
  /** Time paused in it does not count towards the long-transaction warning. */
  readonly debugger: ChaincodeDebugger;
  /** The chaincode the last Run started, if any. */
  readonly chaincodeName: () => string | undefined;
  /** Starts the sandbox again if the idle stop (not the user) stopped it. */
  readonly resumeIfIdle: () => Promise<void>;
  /** A transaction started or ended: the sandbox is in use. */
  readonly onActivity: () => void;
  /** Counts the chaincode's (re)starts, so a transaction that a restart cut short says so. */
  readonly chaincodeStarts: () => number;
  /** The last transaction in flight has finished. */
  readonly onSettled?: () => void;
  /** Overrides config.longTransactionWarnMs (tests shorten it). */
  readonly longTransactionWarnMs?: number;
}

export interface TransactionRunner {
  /** Transactions waiting for an answer. */
  readonly inFlight: number;
  invoke(params: ParamsOf<'invoke'>): Promise<InvokeResult>;
}

export function createTransactionRunner(options: TransactionRunnerOptions): TransactionRunner {
  return new Runner(options);
}

class Runner implements TransactionRunner {
  readonly #options: TransactionRunnerOptions;
  #inFlight = 0;

  constructor(options: TransactionRunnerOptions) {
    this.#options = options;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  async invoke(params: ParamsOf<'invoke'>): Promise<InvokeResult> {
    const { link, reporter } = this.#options;
    this.#options.onActivity();
    // Stopped for idleness, not by the user: resume on demand, the ledger is still there.
    await this.#options.resumeIfIdle();
    const gateway = link.gateway;
    const name = this.#options.chaincodeName();
    const status = reporter.status;
    if (!gateway || !name || status.phase !== 'ready') {
      throw new StudioError(ErrorCode.SandboxNotReady, 'The sandbox is not running. Press Run first.');
    }
    if (status.chaincode !== 'running') {
      throw new StudioError(ErrorCode.ChaincodeNotRunning, `The chaincode is ${status.chaincode}. Press Run to start it.`);
    }
    const request = { chaincodeName: name, contract: params.contract, fn: params.fn, args: params.args, ...(params.transient ? { transient: params.transient } : {}) };
    const unwatch = this.#watchLongTransaction(params.fn);
    const startsBefore = this.#options.chaincodeStarts();
    this.#inFlight += 1;
    try {
      return await (params.mode === 'submit' ? gateway.submit(request) : gateway.evaluate(request));
    } catch (err) {
      throw this.#explain(err, params.fn, startsBefore);
    } finally {
      unwatch();
      this.#inFlight -= 1;
      this.#options.onActivity();
      if (this.#inFlight === 0) this.#options.onSettled?.();
    }
  }

  /**
   * Adds what the server knows to a failed transaction: the stack of the exception the chaincode
   * threw (the peer only carries its message), or that a restart (Run) cut it short.
   */
  #explain(err: unknown, fn: string, startsBefore: number): unknown {
    if (!(err instanceof StudioError)) return err;
    const failed = errorDataOf(ErrorCode.Chaincode, err);
    if (failed) {
      const exception = this.#options.debugger.exceptionFor(failed.txId, err.message);
      return exception ? new StudioError(err.code, err.message, { cause: err.cause, data: { ...failed, exception } }) : err;
    }
    const cutShort = err.code === ErrorCode.ChaincodeNotRunning || err.code === ErrorCode.Fabric;
    if (cutShort && this.#options.chaincodeStarts() !== startsBefore) {
      const now =
        this.#options.reporter.status.chaincode === 'running'
          ? 'The chaincode is running again (no need to press Run): send the transaction again.'
          : 'The chaincode is restarting on its own (no need to press Run): send the transaction again once it runs.';
      return new StudioError(ErrorCode.ChaincodeNotRunning, `${fn} did not finish: the chaincode was restarted while the transaction was in it, so nothing was committed. ${now}`, {
        cause: err,
      });
    }
    return err;
  }

  /**
   * Fabric cannot interrupt a transaction (its execute timeout is long on purpose, for debugging),
   * so a loop that never ends would just hang. Time spent paused in the debugger does not count.
   */
  #watchLongTransaction(fn: string): () => void {
    const { reporter } = this.#options;
    const limitMs = this.#options.longTransactionWarnMs ?? longTransactionWarnMs;
    const tickMs = Math.min(longTransactionTickMs, limitMs);
    let runningMs = 0;
    let warned = false;
    const timer = setInterval(() => {
      if (this.#options.debugger.isPaused) return;
      runningMs += tickMs;
      if (warned || runningMs < limitMs) return;
      warned = true;
      const text = `${fn} is still running after ${Math.round(runningMs / 1000)} s: possible infinite loop; the chaincode is limited to 1 CPU (${cpuQuotaText}); press Run to restart it (the transaction then fails and nothing is committed).`;
      reporter.log('sandbox', text);
      reporter.setStatus({ message: text });
    }, tickMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
