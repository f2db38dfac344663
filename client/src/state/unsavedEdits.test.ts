import { describe, expect, it } from 'vitest';
import { createUnsavedEdits } from './unsavedEdits.ts';
import type { KeyValueStorage } from './unsavedEdits.ts';

/** An in-memory Web Storage, optionally with a quota in characters. */
function memoryStorage(quotaChars = Infinity): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => {
      if (v.length > quotaChars) throw new Error('QuotaExceededError');
      map.set(k, v);
    },
    removeItem: (k) => void map.delete(k),
  };
}

describe('unsaved edits', () => {
  it('keeps text per workspace and path, and survives a new store over the same storage', () => {
    const storage = memoryStorage();
    const edits = createUnsavedEdits(storage, () => 42);
    edits.save('alpha', 'src/a.ts', 'let a = 1;');
    edits.save('beta', 'src/a.ts', 'let b = 2;');

    const reloaded = createUnsavedEdits(storage);
    expect(reloaded.get('alpha', 'src/a.ts')).toEqual({ path: 'src/a.ts', content: 'let a = 1;', editedAtMs: 42 });
    expect(reloaded.list('beta').map((e) => e.content)).toEqual(['let b = 2;']);
    expect(reloaded.get('alpha', 'src/missing.ts')).toBeUndefined();
  });

  it('does not mix workspaces whose ids share a prefix', () => {
    const edits = createUnsavedEdits(memoryStorage());
    edits.save('demo', 'a.ts', '1');
    edits.save('demo-2', 'b.ts', '2');
    expect(edits.list('demo').map((e) => e.path)).toEqual(['a.ts']);
  });

  it('discards one file once saved', () => {
    const edits = createUnsavedEdits(memoryStorage());
    edits.save('demo', 'a.ts', '1');
    edits.save('demo', 'b.ts', '2');
    edits.discard('demo', 'a.ts');
    expect(edits.list('demo').map((e) => e.path)).toEqual(['b.ts']);
  });

  it('follows the rename of a folder and forgets a deleted folder', () => {
    const edits = createUnsavedEdits(memoryStorage());
    edits.save('demo', 'src/lib/a.ts', 'a');
    edits.save('demo', 'src/lib2/b.ts', 'b');
    edits.move('demo', 'src/lib', 'src/util');
    expect(edits.list('demo').map((e) => e.path)).toEqual(['src/lib2/b.ts', 'src/util/a.ts']);
    edits.discardTree('demo', 'src/util');
    expect(edits.list('demo').map((e) => e.path)).toEqual(['src/lib2/b.ts']);
  });

  it('reports a refused write instead of throwing', () => {
    const edits = createUnsavedEdits(memoryStorage(60));
    expect(edits.save('demo', 'a.ts', 'x'.repeat(100))).toBe(false);
    expect(edits.save('demo', 'a.ts', 'x')).toBe(true);
  });

  it('skips entries that are not its own JSON', () => {
    const storage = memoryStorage();
    storage.setItem('chaincode-studio:unsaved:demo:bad.ts', '{not json');
    const edits = createUnsavedEdits(storage);
    expect(edits.list('demo')).toEqual([]);
  });
});
