import { describe, expect, it } from 'vitest';
import { createPrefs } from './prefs.ts';
import type { InvokeRecord } from './studioState.ts';
import type { KeyValueStorage } from './unsavedEdits.ts';

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get length() {
      return data.size;
    },
    key: (index) => [...data.keys()][index] ?? null,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const done: InvokeRecord = {
  id: 4,
  startedAt: '2026-12-02T10:00:00.000Z',
  request: { mode: 'submit', contract: '', fn: 'CreateAsset', args: ['a1', 'blue'], transient: { price: 'secret' } },
  outcome: { ok: true, result: { mode: 'submit', result: '', txId: 'ab'.repeat(32), blockNumber: '5', validationCode: 'VALID', events: [], durationMs: 30 } },
};

describe('prefs: the invoke history', () => {
  it('keeps finished invokes per workspace, without transient values, and reads them back', () => {
    const storage = memoryStorage();
    const prefs = createPrefs(storage);
    const pending: InvokeRecord = { ...done, id: 5, outcome: { pending: true } };
    prefs.setInvokes('w1', [pending, done]);
    expect(prefs.invokes('w1')).toEqual([{ ...done, request: { ...done.request, transient: {} } }]);
    expect(prefs.invokes('w2')).toEqual([]);
    expect([...storage.data.values()].join()).not.toContain('secret');
  });

  it('ignores a stored history that is not of the expected shape', () => {
    const storage = memoryStorage();
    storage.setItem('chaincode-studio:invokes:w1', JSON.stringify([{ id: 1, request: { fn: 7 } }]));
    expect(createPrefs(storage).invokes('w1')).toEqual([]);
  });
});
