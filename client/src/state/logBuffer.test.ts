import { describe, expect, it } from 'vitest';
import type { LogLine, LogSource } from '../../../protocol/messages.ts';
import { appendLogs, filterLogs, stripAnsi } from './logBuffer.ts';

const line = (source: LogSource, text: string): LogLine => ({ source, text, time: '2024-05-01T10:00:00.000Z' });
const allSources: LogSource[] = ['peer', 'orderer', 'chaincode', 'sandbox'];

describe('appendLogs', () => {
  it('numbers lines in arrival order and keeps only the newest', () => {
    let buffer = appendLogs({ entries: [], nextId: 1 }, [line('peer', 'a'), line('peer', 'b')], 3);
    buffer = appendLogs(buffer, [line('chaincode', 'c'), line('orderer', 'd')], 3);
    expect(buffer.entries.map((e) => `${e.id}:${e.text}`)).toEqual(['2:b', '3:c', '4:d']);
    expect(buffer.nextId).toBe(5);
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
