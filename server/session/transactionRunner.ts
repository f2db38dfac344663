/**
 * Submits and evaluates the IDE's transactions on a session's sandbox:
 * checks the arguments against the contract metadata (the rule the browser
 * checks too), starts an idle-stopped sandbox again first, counts what is in
 * flight (the idle stop never stops a sandbox with an answer pending), says
 * when an older build answered, and warns about a transaction that runs on and
 * on, since Fabric cannot interrupt it.
 */
import { argumentProblems } from '../../protocol/contractArgs.ts';
import { errorDataOf, type InvalidParamsData } from '../../protocol/errorData.ts';
import type { ContractMetadata, InvokeResult, LongTransaction, ParamsOf } from '../../protocol/messages.ts';
import { longTransactionTickMs, longTransactionWarnMs, sandboxNanoCpus } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { timed, type SessionMetrics } from '../metrics/studioMetrics.ts';
import type { ChaincodeDebugger } from './chaincodeDebugger.ts';
import type { SandboxLink } from './sandboxLink.ts';
import type { SessionReporter } from './sessionReporter.ts';

/** How the CPU limit reads in messages, e.g. "1 core". */
const cpuLimitText = `${sandboxNanoCpus / 1e9} core${sandboxNanoCpus === 1e9 ? '' : 's'}`;

export interface TransactionRunnerOptions {
  readonly link: SandboxLink;
  readonly reporter: SessionReporter;
  /** Time paused in it does not count towards the long-transaction warning. */
  readonly debugger: ChaincodeDebugger;
  /** The chaincode the last Run started, if any. */
  readonly chaincodeName: () => string | undefined;
  /** The running chaincode's contract metadata, once read: the arguments are checked against it. */
  readonly metadata: () => ContractMetadata | undefined;
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
  /** Times each invoke. */
  readonly metrics?: Pick<SessionMetrics, 'invokeFinished'>;
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

  invoke(params: ParamsOf<'invoke'>): Promise<InvokeResult> {
    const metrics = this.#options.metrics;
    const work = this.#invoke(params);
    return metrics ? timed(work, (seconds, outcome) => metrics.invokeFinished(params.mode, seconds, outcome)) : work;
  }

  async #invoke(params: ParamsOf<'invoke'>): Promise<InvokeResult> {
    const { link, reporter } = this.#options;
    this.#options.onActivity();
    // Stopped for idleness, not by the user: resume on demand, the ledger is still there.
    await this.#options.resumeIfIdle();
    const gateway = params.asOrg === undefined ? link.gateway : link.gatewayFor(params.asOrg);
    const name = this.#options.chaincodeName();
    const status = reporter.status;
    if (params.asOrg !== undefined && !gateway && link.handle && status.phase === 'ready') {
      throw new StudioError(ErrorCode.InvalidParams, `${params.asOrg} is not an org of this sandbox's network (${link.orgs.join(', ')}); pick one of those, or add it in the Network settings and press Run.`);
    }
    if (!gateway || !name || status.phase !== 'ready') {
      throw new StudioError(ErrorCode.SandboxNotReady, 'The sandbox is not running. Press Run first.');
    }
    if (status.chaincode !== 'running') {
      throw new StudioError(ErrorCode.ChaincodeNotRunning, `The chaincode is ${status.chaincode}. Press Run to start it.`);
    }
    this.#checkArguments(params);
    const previousBuild = status.previousBuild;
    const request = { chaincodeName: name, contract: params.contract, fn: params.fn, args: params.args, ...(params.transient ? { transient: params.transient } : {}), ...(params.endorsingOrgs ? { endorsingOrgs: params.endorsingOrgs } : {}) };
    const unwatch = this.#watchLongTransaction(params.contract, params.fn);
    const startsBefore = this.#options.chaincodeStarts();
    this.#inFlight += 1;
    try {
      const result = await (params.mode === 'submit' ? gateway.submit(request) : gateway.evaluate(request));
      return previousBuild === undefined ? result : { ...result, previousBuild };
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
   * Refuses arguments that do not read as their parameters' types (or a wrong count), naming each
   * field, before the chaincode sees them. A function the metadata does not list is left to the chaincode.
   */
  #checkArguments(params: ParamsOf<'invoke'>): void {
    const contracts = this.#options.metadata()?.contracts ?? [];
    const contract = params.contract === '' ? (contracts.find((c) => c.isDefault) ?? contracts[0]) : contracts.find((c) => c.name === params.contract);
    const fn = contract?.transactions.find((t) => t.name === params.fn);
    if (!fn) return;
    const problems = argumentProblems(fn.params, params.args);
    if (problems.length === 0) return;
    const data: InvalidParamsData = { issues: problems.map((p) => ({ path: `args.${p.index}`, message: p.message })) };
    throw new StudioError(ErrorCode.InvalidParams, `${params.fn} was not sent: ${problems.map((p) => p.message).join('; ')}.`, { data });
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
  #watchLongTransaction(contract: string, fn: string): () => void {
    const { reporter } = this.#options;
    const limitMs = this.#options.longTransactionWarnMs ?? longTransactionWarnMs;
    const tickMs = Math.min(longTransactionTickMs, limitMs);
    let runningMs = 0;
    let warning: LongTransaction | undefined;
    let text = '';
    const timer = setInterval(() => {
      if (this.#options.debugger.isPaused) return;
      runningMs += tickMs;
      if (warning || runningMs < limitMs) return;
      warning = { contract, fn, runningMs, cpuLimit: cpuLimitText };
      text = `${fn} is still running after ${Math.round(runningMs / 1000)} s: possible infinite loop; the chaincode is limited to ${cpuLimitText} of CPU; press Restart to restart it (the transaction then fails and nothing is committed), or pause it in the debugger to see where it is.`;
      reporter.log('sandbox', text);
      // In the status, so the IDE shows it on the pending transaction (also after a reload).
      reporter.setStatus({ message: text, longTransaction: warning });
    }, tickMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      const current = reporter.status;
      if (warning === undefined || current.longTransaction !== warning) return;
      reporter.setStatus({ longTransaction: undefined, ...(current.message === text ? { message: undefined } : {}) });
    };
  }
}
