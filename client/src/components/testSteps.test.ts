import { describe, expect, it } from 'vitest';
import { InvokeTestFile } from '../../../protocol/invokeTests.ts';
import type { InvokeRecord } from '../state/studioState.ts';
import { stepsFromHistory } from './testSteps.ts';

const request = (fn: string, args: string[] = []) => ({ mode: 'submit' as const, contract: '', fn, args, transient: {} });

describe('stepsFromHistory', () => {
  it('turns the history into a valid test file, oldest first, expecting what each invoke answered', () => {
    const history: InvokeRecord[] = [
      { id: 3, request: request('Pending'), startedAt: '', outcome: { pending: true } },
      { id: 2, request: { ...request('Bad', ['x']), transient: { secret: 's' }, endorsingOrgs: ['Org1MSP'] }, startedAt: '', outcome: { ok: false, code: 'chaincode', message: 'The asset x does not exist' } },
      {
        id: 1,
        request: request('CreateAsset', ['a1']),
        startedAt: '',
        outcome: {
          ok: true,
          result: {
            mode: 'submit', result: '', txId: 't', validationCode: 'VALID', durationMs: 4,
            events: [{ name: 'AssetCreated', payload: '{}', txId: 't', blockNumber: '6' }],
            readWriteSet: { namespaces: [{ namespace: 'basic', reads: [], rangeQueries: [], writes: [{ key: 'a1', isDelete: false }], metadataWrites: [], collections: [] }] },
          },
        },
      },
    ];
    const steps = stepsFromHistory(history, 'basic');
    expect(steps).toEqual([
      { mode: 'submit', contract: '', fn: 'CreateAsset', args: ['a1'], expect: { result: '', validationCode: 'VALID', events: [{ name: 'AssetCreated', payload: '{}' }], writes: { written: ['a1'], deleted: [] } } },
      { mode: 'submit', contract: '', fn: 'Bad', args: ['x'], transient: { secret: 's' }, endorsingOrgs: ['Org1MSP'], expect: { error: 'The asset x does not exist' } },
    ]);
    expect(InvokeTestFile.safeParse({ invokes: steps }).success).toBe(true);
  });
});
