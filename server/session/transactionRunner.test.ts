import { afterEach, expect, it, vi } from 'vitest';
import type { ContractMetadata, InvokeResult, ParamsOf } from '../../protocol/messages.ts';
import { ErrorCode } from '../errors.ts';
import type { ChaincodeDebugger } from './chaincodeDebugger.ts';
import type { SandboxLink } from './sandboxLink.ts';
import { createSessionReporter } from './sessionReporter.ts';
import { createTransactionRunner } from './transactionRunner.ts';

const metadata: ContractMetadata = {
  raw: {},
  contracts: [
    {
      name: 'AssetTransfer',
      isDefault: true,
      transactions: [
        {
          name: 'CreateAsset',
          kind: 'submit',
          params: [
            { name: 'id', type: 'string', schema: { type: 'string' }, required: true },
            { name: 'size', type: 'number', schema: { type: 'number' }, required: true },
          ],
        },
      ],
    },
  ],
};

const answer: InvokeResult = { mode: 'submit', result: '', txId: 'tx1', blockNumber: '3', validationCode: 'VALID', events: [], durationMs: 5 };

/** A runner on a ready sandbox whose gateway answers when `settle` is called (or at once). */
function readyRunner(options: { hold?: boolean } = {}) {
  const reporter = createSessionReporter({ workspace: 'w', publish: () => undefined });
  reporter.setStatus({ phase: 'ready', chaincode: 'running' });
  let settle: () => void = () => undefined;
  const submit = vi.fn(() => (options.hold ? new Promise<InvokeResult>((resolve) => (settle = () => resolve(answer))) : Promise.resolve(answer)));
  const link = { gateway: { submit, evaluate: submit } } as unknown as SandboxLink;
  const runner = createTransactionRunner({
    link,
    reporter,
    debugger: { isPaused: false } as ChaincodeDebugger,
    chaincodeName: () => 'basic',
    metadata: () => metadata,
    chaincodeStarts: () => 0,
    resumeIfIdle: async () => undefined,
    onActivity: () => undefined,
    longTransactionWarnMs: 3000,
  });
  return { runner, reporter, submit, settle: () => settle() };
}

const invoke = (args: string[]): ParamsOf<'invoke'> => ({ workspace: 'w', mode: 'submit', contract: '', fn: 'CreateAsset', args });

afterEach(() => vi.useRealTimers());

it('refuses arguments that do not fit the metadata, naming each field, before the chaincode sees them', async () => {
  const { runner, submit } = readyRunner();
  const refused = runner.invoke(invoke(['', 'seven']));
  await expect(refused).rejects.toMatchObject({
    code: ErrorCode.InvalidParams,
    message: 'CreateAsset was not sent: id is required; size must be a number, not "seven".',
    data: { issues: [{ path: 'args.0', message: 'id is required' }, { path: 'args.1', message: 'size must be a number, not "seven"' }] },
  });
  expect(submit).not.toHaveBeenCalled();
  await expect(runner.invoke(invoke(['a1', '7']))).resolves.toEqual(answer);
});

it('says on the result when the previous build answered', async () => {
  const { runner, reporter } = readyRunner();
  reporter.setStatus({ previousBuild: 'The last change did not compile (1 error, see Problems)' });
  expect((await runner.invoke(invoke(['a1', '7']))).previousBuild).toBe('The last change did not compile (1 error, see Problems)');
  // A restart ends the previous build.
  reporter.setStatus({ chaincode: 'starting' });
  reporter.setStatus({ chaincode: 'running' });
  expect((await runner.invoke(invoke(['a2', '7']))).previousBuild).toBeUndefined();
});

it('puts a transaction that runs past the warning in the status, and takes it out when it ends', async () => {
  vi.useFakeTimers();
  const { runner, reporter, settle } = readyRunner({ hold: true });
  const pending = runner.invoke(invoke(['a1', '7']));
  await vi.advanceTimersByTimeAsync(2000);
  expect(reporter.status.longTransaction).toBeUndefined();
  await vi.advanceTimersByTimeAsync(1000);
  expect(reporter.status.longTransaction).toEqual({ contract: '', fn: 'CreateAsset', runningMs: 3000, cpuLimit: '1 core' });
  expect(reporter.status.message).toMatch(/^CreateAsset is still running after 3 s: possible infinite loop/);
  settle();
  await pending;
  expect(reporter.status.longTransaction).toBeUndefined();
  expect(reporter.status.message).toBeUndefined();
});
