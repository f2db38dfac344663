import { describe, expect, it } from 'vitest';
import type { InvokeResult } from '../../protocol/messages.ts';
import { checkInvoke, messageMatches, subsetMismatch } from './invokeExpectations.ts';

function answered(overrides: Partial<InvokeResult> = {}): { result: InvokeResult } {
  return {
    result: {
      mode: 'submit',
      result: '{"ID":"a1","Owner":"Tom","Size":5}',
      txId: 'ab',
      validationCode: 'VALID',
      events: [{ name: 'AssetCreated', payload: '{"ID":"a1"}', txId: 'ab', blockNumber: '5' }],
      readWriteSet: { namespaces: [{ namespace: 'basic', reads: [], rangeQueries: [], writes: [{ key: 'a1', isDelete: false }, { key: 'a0', isDelete: true }], metadataWrites: [], collections: [] }] },
      durationMs: 3,
      ...overrides,
    },
  };
}

describe('checkInvoke', () => {
  it('passes when every stated expectation holds', () => {
    const expectation = {
      result: '{"ID":"a1","Owner":"Tom","Size":5}',
      resultIncludes: { Owner: 'Tom' },
      validationCode: 'VALID',
      events: [{ name: 'AssetCreated', payloadIncludes: { ID: 'a1' } }],
      writes: { written: ['a1'], deleted: ['a0'] },
    };
    expect(checkInvoke(expectation, answered(), 'basic')).toEqual([]);
  });

  it('names each difference with expected and actual', () => {
    const diffs = checkInvoke({ resultIncludes: { Owner: 'Sam' }, validationCode: 'MVCC_READ_CONFLICT', writes: { written: ['a2'], deleted: ['a0'] } }, answered(), 'basic');
    expect(diffs).toEqual([
      'result at $.Owner:\n  expected: "Sam"\n  actual:   "Tom"',
      'validationCode:\n  expected: "MVCC_READ_CONFLICT"\n  actual:   "VALID"',
      'writes.written:\n  expected: ["a2"]\n  actual:   ["a1"]',
    ]);
  });

  it('checks events by count, name and payload', () => {
    expect(checkInvoke({ events: [] }, answered(), 'basic')).toEqual(['events:\n  expected: []\n  actual:   ["AssetCreated"]']);
    expect(checkInvoke({ events: [{ name: 'AssetCreated', payload: '{}' }] }, answered(), 'basic')[0]).toContain('events[0].payload');
  });

  it('matches errors by substring or /regex/, and fails on an unexpected outcome', () => {
    expect(checkInvoke({ error: 'does not exist' }, { error: 'The asset a9 does not exist' }, 'basic')).toEqual([]);
    expect(checkInvoke({ error: '/asset a\\d+ does/' }, { error: 'The asset a9 does not exist' }, 'basic')).toEqual([]);
    expect(checkInvoke({ error: 'already exists' }, { error: 'The asset a9 does not exist' }, 'basic')).toHaveLength(1);
    expect(checkInvoke({}, { error: 'boom' }, 'basic')).toEqual(['unexpected error: boom']);
    expect(checkInvoke({ error: 'boom' }, answered(), 'basic')[0]).toContain('success');
  });

  it('says when a result expected to hold JSON does not', () => {
    expect(checkInvoke({ resultIncludes: { a: 1 } }, answered({ result: 'plain' }), 'basic')[0]).toContain('not JSON');
  });
});

describe('subsetMismatch', () => {
  it('treats arrays as same length, element-wise subsets', () => {
    expect(subsetMismatch([{ a: 1 }], [{ a: 1, b: 2 }])).toBeUndefined();
    expect(subsetMismatch([{ a: 1 }], [{ a: 1 }, { a: 2 }])?.path).toBe('$');
    expect(subsetMismatch({ x: { y: [1, 2] } }, { x: { y: [1, 3] } })?.path).toBe('$.x.y[1]');
  });
});

describe('messageMatches', () => {
  it('honours regex flags', () => {
    expect(messageMatches('/NOT FOUND/i', 'asset not found')).toBe(true);
  });
});
