import { describe, expect, it } from 'vitest';
import { BreakpointStore } from './breakpointStore.ts';

describe('BreakpointStore', () => {
  it('replaces a source’s breakpoints and keeps the id of a line that stays', () => {
    const store = new BreakpointStore();
    const [a, b] = store.set('src/main.ts', [{ line: 3 }, { line: 9 }]);
    const next = store.set('src/main.ts', [{ line: 9, condition: 'x > 1' }, { line: 12 }]);
    expect(next[0]).toEqual({ id: b?.id, line: 9, condition: 'x > 1' });
    expect(next[1]?.id).not.toBe(a?.id);
    expect(next[1]?.id).not.toBe(b?.id);
    expect(store.find(b?.id ?? 0)).toEqual({ path: 'src/main.ts', breakpoint: next[0] });
    expect(store.set('src/main.ts', [])).toEqual([]);
    expect(store.paths()).toEqual([]);
  });

  it('keeps exception filters without duplicates', () => {
    const store = new BreakpointStore();
    store.exceptionFilters = ['all', 'all', 'uncaught'];
    expect(store.exceptionFilters).toEqual(['all', 'uncaught']);
  });
});
