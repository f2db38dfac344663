import { describe, expect, it } from 'vitest';
import type { LedgerBlock, LedgerTransaction } from '../../protocol/ledger.ts';
import { createLedgerIndex } from './ledgerIndex.ts';

const text = (t: string) => ({ encoding: 'utf8' as const, text: t, bytes: t.length, truncated: false });

function tx(txId: string, writes: { key: string; value?: string }[], validationCode = 'VALID', namespace = 'basic'): LedgerTransaction {
  return {
    txId,
    type: 'endorser',
    time: '2026-12-02T10:00:00.000Z',
    chaincode: namespace,
    fn: 'F',
    args: [],
    validationCode,
    endorsers: ['Org1MSP'],
    events: [],
    readWriteSet: {
      namespaces: [
        {
          namespace,
          reads: [],
          rangeQueries: [],
          writes: writes.map((w) => (w.value === undefined ? { key: w.key, isDelete: true } : { key: w.key, isDelete: false, value: text(w.value) })),
          metadataWrites: [],
          collections: [],
        },
      ],
    },
  };
}
const block = (number: number, ...transactions: LedgerTransaction[]): LedgerBlock => ({ number: String(number), transactions });

describe('the ledger index', () => {
  it('keeps the world state of valid transactions only, with the version that wrote each key', () => {
    const index = createLedgerIndex();
    index.apply(block(0));
    index.apply(block(1, tx('t1', [{ key: 'b', value: '1' }, { key: 'a', value: '2' }])));
    index.apply(block(2, tx('t2', [{ key: 'a', value: 'lost' }], 'MVCC_READ_CONFLICT'), tx('t3', [{ key: 'a', value: '3' }])));
    expect(index.height).toBe(3n);
    expect(index.worldState({ namespace: 'basic', offset: 0, limit: 10 })).toEqual({
      total: 2,
      entries: [
        { key: 'a', value: text('3'), version: { blockNum: '2', txNum: '1' } },
        { key: 'b', value: text('1'), version: { blockNum: '1', txNum: '0' } },
      ],
    });
  });

  it('removes deleted keys from the state and keeps them in the history', () => {
    const index = createLedgerIndex();
    index.apply(block(1, tx('t1', [{ key: 'k', value: 'v1' }])));
    index.apply(block(2, tx('t2', [{ key: 'k', value: 'v2' }])));
    index.apply(block(3, tx('t3', [{ key: 'k' }])));
    expect(index.worldState({ namespace: 'basic', offset: 0, limit: 10 }).total).toBe(0);
    expect(index.keyHistory('basic', 'k').map((h) => [h.txId, h.isDelete, h.value?.text, h.version.blockNum])).toEqual([
      ['t1', false, 'v1', '1'],
      ['t2', false, 'v2', '2'],
      ['t3', true, undefined, '3'],
    ]);
  });

  it('pages and searches a large namespace in key order', () => {
    const index = createLedgerIndex();
    const writes = Array.from({ length: 10_000 }, (_, i) => ({ key: `asset${String(i).padStart(5, '0')}`, value: `{"n":${i}}` }));
    index.apply(block(1, tx('bulk', writes)));
    const page = index.worldState({ namespace: 'basic', offset: 9_990, limit: 50 });
    expect(page.total).toBe(10_000);
    expect(page.entries.map((e) => e.key)).toEqual(writes.slice(9_990).map((w) => w.key));
    expect(index.worldState({ namespace: 'basic', search: '"n":4242}', offset: 0, limit: 5 }).entries.map((e) => e.key)).toEqual(['asset04242']);
  });

  it('ignores a block delivered twice, lists blocks newest first, and finds a transaction by id', () => {
    const index = createLedgerIndex();
    index.apply(block(1, tx('t1', [{ key: 'k', value: 'v1' }])));
    index.apply(block(2, tx('t2', [{ key: 'k', value: 'v2' }])));
    index.apply(block(1, tx('t1', [{ key: 'k', value: 'v1' }])));
    expect(index.keyHistory('basic', 'k')).toHaveLength(2);
    expect(index.blocks({ limit: 10 }).map((b) => b.number)).toEqual(['2', '1']);
    expect(index.blocks({ before: 2n, limit: 10 }).map((b) => b.number)).toEqual(['1']);
    expect(index.transaction('t2')?.blockNumber).toBe('2');
    expect(index.namespaces()).toEqual(['basic']);
  });

  it('leaves Fabric\'s own lifecycle namespace out of the world state', () => {
    const index = createLedgerIndex();
    index.apply(block(1, tx('t1', [{ key: 'namespaces/fields/basic/Sequence', value: 'x' }], 'VALID', '_lifecycle')));
    expect(index.namespaces()).toEqual([]);
  });
});
