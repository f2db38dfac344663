import { describe, expect, it } from 'vitest';
import type { ExceptionDetails, InvokeResult, ParamsOf } from '../../protocol/messages.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { ChaincodeDebugger } from './chaincodeDebugger.ts';
import type { SandboxLink } from './sandboxLink.ts';
import { createSessionReporter } from './sessionReporter.ts';
import { createTransactionRunner } from './transactionRunner.ts';

const params: ParamsOf<'invoke'> = { workspace: 'w', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['a1'] };
const exception: ExceptionDetails = {
  message: 'The asset a1 does not exist',
  typeName: 'Error',
  stackFrames: [{ id: 0, name: 'ReadAsset', source: { name: 'contract.ts', path: 'src/contract.ts' }, line: 40, column: 13 }],
};

interface Counts {
  /** Chaincode (re)starts. */
  starts: number;
  /** Times the last transaction in flight finished. */
  settled: number;
}

/** A runner whose Gateway fails with `failure`; `during` runs while the transaction is in flight. */
function runner(failure: StudioError, during: (counts: Counts) => void = () => undefined) {
  const reporter = createSessionReporter({ workspace: 'w', publish: () => undefined });
  reporter.setStatus({ phase: 'ready', chaincode: 'running' });
  const counts: Counts = { starts: 0, settled: 0 };
  const evaluate = async (): Promise<InvokeResult> => {
    during(counts);
    throw failure;
  };
  const link = { gateway: { evaluate, submit: evaluate } } as unknown as SandboxLink;
  const debug = {
    isPaused: false,
    exceptionFor: (txId: string | undefined, message: string) => (txId === 'tx1' && message === exception.message ? exception : undefined),
  } as unknown as ChaincodeDebugger;
  const transactions = createTransactionRunner({
    link,
    reporter,
    debugger: debug,
    chaincodeName: () => 'basic',
    metadata: () => undefined,
    resumeIfIdle: async () => undefined,
    onActivity: () => undefined,
    chaincodeStarts: () => counts.starts,
    onSettled: () => (counts.settled += 1),
  });
  return { transactions, counts, reporter };
}

const failureOf = (promise: Promise<unknown>): Promise<StudioError> => promise.then(() => { throw new Error('no failure'); }, (err: unknown) => err as StudioError);

describe('transaction runner', () => {
  it('gives a chaincode error the stack of the exception the debugger saw in that transaction', async () => {
    const { transactions, counts } = runner(new StudioError(ErrorCode.Chaincode, exception.message, { data: { txId: 'tx1' } }));
    const err = await failureOf(transactions.invoke(params));
    expect(err).toMatchObject({ code: ErrorCode.Chaincode, message: exception.message, data: { txId: 'tx1', exception } });
    expect(counts.settled).toBe(1);
    expect(transactions.inFlight).toBe(0);
  });

  it('leaves a chaincode error as it is when the debugger saw no exception', async () => {
    const original = new StudioError(ErrorCode.Chaincode, 'something else', { data: { txId: 'tx2' } });
    const { transactions } = runner(original);
    expect(await failureOf(transactions.invoke(params))).toBe(original);
  });

  it('says that a restart cut the transaction short, and that no Run is needed', async () => {
    const gone = new StudioError(ErrorCode.ChaincodeNotRunning, 'ReadAsset failed: the chaincode process stopped … press Run to start it again.');
    const { transactions } = runner(gone, (counts) => (counts.starts += 1));
    const err = await failureOf(transactions.invoke(params));
    expect(err.code).toBe(ErrorCode.ChaincodeNotRunning);
    expect(err.message).toBe(
      'ReadAsset did not finish: the chaincode was restarted while the transaction was in it, so nothing was committed. The chaincode is running again (no need to press Run): send the transaction again.',
    );
  });

  it('keeps the error of a chaincode that stopped with no restart', async () => {
    const gone = new StudioError(ErrorCode.ChaincodeNotRunning, 'ReadAsset failed: the chaincode process stopped. Press Run to start it again.');
    const { transactions } = runner(gone);
    expect(await failureOf(transactions.invoke(params))).toBe(gone);
  });
});
