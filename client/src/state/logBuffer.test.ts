import { describe, expect, it } from 'vitest';
import type { LogLine, LogSource } from '../../../protocol/messages.ts';
import { appendLogs, filterLogs, stripAnsi, transactionMatcher } from './logBuffer.ts';

const line = (source: LogSource, text: string): LogLine => ({ source, text, time: '2024-05-01T10:00:00.000Z' });
const allSources: LogSource[] = ['peer', 'orderer', 'chaincode', 'shim', 'sandbox'];

describe('appendLogs', () => {
  it('numbers lines in arrival order and keeps only the newest of each source', () => {
    let buffer = appendLogs({ entries: [], nextId: 1 }, [line('chaincode', 'mine'), line('peer', 'a'), line('peer', 'b')], 2);
    buffer = appendLogs(buffer, [line('peer', 'c'), line('orderer', 'd'), line('peer', 'e')], 2);
    expect(buffer.entries.map((e) => `${e.id}:${e.text}`)).toEqual(['1:mine', '4:c', '5:d', '6:e']);
    expect(buffer.nextId).toBe(7);
  });

  it('strips terminal colour codes', () => {
    const buffer = appendLogs({ entries: [], nextId: 1 }, [line('peer', '\u001b[34m2024 INFO\u001b[0m [endorser] ok')], 10);
    expect(buffer.entries[0]?.text).toBe('2024 INFO [endorser] ok');
    expect(stripAnsi('plain')).toBe('plain');
  });
});

describe('filterLogs', () => {
  const { entries } = appendLogs(
    { entries: [], nextId: 1 },
    [line('peer', 'Joined channel'), line('chaincode', 'CreateAsset asset1'), line('orderer', 'Wrote block 5'), line('chaincode', 'ReadAsset ASSET1')],
    100,
  );

  it("shows only one org's lines when an org is chosen", () => {
    const { entries } = appendLogs({ entries: [], nextId: 1 }, [{ ...line('peer', 'one'), org: 'Org1MSP' }, { ...line('peer', 'two'), org: 'Org2MSP' }, line('orderer', 'o')], 100);
    expect(filterLogs(entries, { sources: allSources, text: '', org: 'Org2MSP' }, 100).map((e) => e.text)).toEqual(['two']);
    expect(filterLogs(entries, { sources: allSources, text: '' }, 100).map((e) => e.text)).toEqual(['one', 'two', 'o']);
  });

  it('shows only the chosen sources', () => {
    const shown = filterLogs(entries, { sources: ['chaincode'], text: '' }, 100);
    expect(shown.map((e) => e.text)).toEqual(['CreateAsset asset1', 'ReadAsset ASSET1']);
  });

  it('matches text without regard to case', () => {
    const shown = filterLogs(entries, { sources: allSources, text: ' asset1 ' }, 100);
    expect(shown.map((e) => e.id)).toEqual([2, 4]);
  });

  it('returns the newest matches, oldest first, when capped', () => {
    const shown = filterLogs(entries, { sources: allSources, text: '' }, 2);
    expect(shown.map((e) => e.id)).toEqual([3, 4]);
  });
});

describe('filterLogs by level and transaction', () => {
  const at = (source: LogSource, time: string, text: string, level?: LogLine['level']): LogLine => ({ source, time: `2026-12-02T09:36:${time}Z`, text, ...(level ? { level } : {}) });
  const txId = 'c4a8aac0c31b6b4d64a17c921e57056483d7c7289556e445e21186daa12f3d5f';
  const { entries } = appendLogs(
    { entries: [], nextId: 1 },
    [
      at('chaincode', '46.900', 'an earlier transaction'),
      at('chaincode', '47.040', 'CreateAsset a1 owned by tom'),
      at('chaincode', '47.045', 'Error: a warning of mine', 'error'),
      at('shim', '47.059', 'info [c-api:lib/handler.js] [studio-c4a8aac0] Calling chaincode Invoke() succeeded'),
      at('peer', '47.060', 'INFO [endorser] callChaincode -> finished chaincode: basic duration: 24ms channel=studio txID=c4a8aac0'),
      at('peer', '47.070', `INFO [gateway] Submit -> Sending transaction to orderer txID=${txId}`),
      at('peer', '47.080', 'WARN [endorser] something else', 'warning'),
      at('chaincode', '48.500', 'a later transaction'),
    ],
    100,
  );

  it('shows lines at or above the chosen level', () => {
    expect(filterLogs(entries, { sources: allSources, text: '', minLevel: 'warning' }, 100).map((e) => e.id)).toEqual([3, 7]);
    expect(filterLogs(entries, { sources: allSources, text: '', minLevel: 'error' }, 100).map((e) => e.id)).toEqual([3]);
  });

  it("shows a transaction's lines: those naming it and the user's own lines printed while it ran", () => {
    const shown = filterLogs(entries, { sources: allSources, text: '', transaction: { txId, durationMs: 60 } }, 100);
    expect(shown.map((e) => e.id)).toEqual([2, 3, 4, 5, 6]);
  });

  it("falls back to the invoke's duration when the peer's timing line is gone", () => {
    const withoutPeer = entries.filter((e) => e.source !== 'peer');
    const matches = transactionMatcher(withoutPeer, { txId, durationMs: 30 });
    expect(withoutPeer.filter(matches).map((e) => e.text.slice(0, 12))).toEqual(['CreateAsset ', 'Error: a war', 'info [c-api:']);
  });
});
