import { describe, expect, it } from 'vitest';
import type { LedgerBlockSummary, WorldStateEntry } from '../../../protocol/ledger.ts';
import { initialLedgerState, ledgerBlocksPagedMax, ledgerReducer, worldStateRow } from './ledgerState.ts';

const block = (n: number): LedgerBlockSummary => ({ number: String(n), transactions: [] });
const entry = (key: string): WorldStateEntry => ({ key, value: { encoding: 'utf8', text: '1', bytes: 1, truncated: false }, version: { blockNum: '1', txNum: '0' } });

describe('ledgerReducer', () => {
  it('keeps blocks newest first, merging live blocks that arrived while the list loaded, once each', () => {
    let s = ledgerReducer(initialLedgerState(), { type: 'blockCommitted', block: block(5) });
    s = ledgerReducer(s, { type: 'blocks', height: '5', blocks: [block(4), block(3)] });
    s = ledgerReducer(s, { type: 'blockCommitted', block: block(5) });
    expect(s.blocks.blocks.map((b) => b.number)).toEqual(['5', '4', '3']);
    expect(s.blocks.height).toBe('6');
  });

  it('appends older blocks below the oldest listed, once each, and keeps a window of the chain when paged far', () => {
    let s = ledgerReducer(initialLedgerState(), { type: 'blocks', height: '10', blocks: [block(9), block(8)] });
    s = ledgerReducer(s, { type: 'olderBlocksLoading' });
    expect(s.blocks.loadingOlder).toBe(true);
    // A late reply may repeat a block already listed: it is not listed twice.
    s = ledgerReducer(s, { type: 'olderBlocks', blocks: [block(8), block(7), block(6)] });
    expect(s.blocks.blocks.map((b) => b.number)).toEqual(['9', '8', '7', '6']);
    expect(s.blocks.loadingOlder).toBe(false);
    s = ledgerReducer(s, { type: 'olderBlocksError', message: 'The peer did not deliver blocks' });
    expect(s.blocks.olderError).toMatch(/did not deliver/);

    const many = Array.from({ length: ledgerBlocksPagedMax + 5 }, (_, i) => block(ledgerBlocksPagedMax + 100 - i));
    let far = ledgerReducer(initialLedgerState(), { type: 'blocks', height: String(ledgerBlocksPagedMax + 101), blocks: many.slice(0, 10) });
    far = ledgerReducer(far, { type: 'olderBlocks', blocks: many.slice(10) });
    expect(far.blocks.blocks).toHaveLength(ledgerBlocksPagedMax);
    expect(far.blocks.blocks.at(-1)?.number).toBe(many.at(-1)?.number);
  });

  it('drops a world state page of an older query; after a block, pages show until refetched unless the total moved', () => {
    let s = ledgerReducer(initialLedgerState(), { type: 'worldStateQuery', namespace: null, search: 'a' });
    const query = s.worldState.query;
    s = ledgerReducer(s, { type: 'worldStatePage', query: query - 1, offset: 0, namespace: 'basic', namespaces: ['basic'], total: 1, entries: [entry('old')] });
    expect(s.worldState.total).toBeNull();
    s = ledgerReducer(s, { type: 'worldStatePage', query, offset: 100, namespace: 'basic', namespaces: ['basic'], total: 150, entries: [entry('a100'), entry('a101')] });
    expect(worldStateRow(s.worldState, 101, 100)?.key).toBe('a101');
    expect(worldStateRow(s.worldState, 5, 100)).toBeUndefined();
    s = ledgerReducer(s, { type: 'blockCommitted', block: block(9) });
    expect(s.worldState.fresh).toEqual({});
    expect(worldStateRow(s.worldState, 101, 100)?.key).toBe('a101');
    s = ledgerReducer(s, { type: 'worldStatePage', query: s.worldState.query, offset: 0, namespace: 'basic', namespaces: ['basic'], total: 151, entries: [entry('a0')] });
    expect(worldStateRow(s.worldState, 101, 100)).toBeUndefined();
    expect(s.worldState.fresh).toEqual({ 0: true });
  });

  it('shows the error of the transaction asked for, not of one asked before', () => {
    let s = ledgerReducer(initialLedgerState(), { type: 'txOpened', txId: 'aa' });
    s = ledgerReducer(s, { type: 'txOpened', txId: 'bb' });
    expect(ledgerReducer(s, { type: 'txError', txId: 'aa', message: 'x' })).toBe(s);
    expect(ledgerReducer(s, { type: 'txError', txId: 'bb', message: 'Press Run' }).tx?.error).toBe('Press Run');
  });
});
