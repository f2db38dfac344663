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

  it('lists every source without ids, moves a folder’s sources and drops a deleted one’s', () => {
    const store = new BreakpointStore();
    store.set('src/b.ts', [{ line: 2, enabled: false }]);
    store.set('src/a.ts', [{ line: 1, condition: 'x' }]);
    store.set('srcx/c.ts', [{ line: 5 }]);
    expect(store.all()).toEqual([
      { path: 'src/a.ts', breakpoints: [{ line: 1, condition: 'x' }] },
      { path: 'src/b.ts', breakpoints: [{ line: 2, enabled: false }] },
      { path: 'srcx/c.ts', breakpoints: [{ line: 5 }] },
    ]);
    expect(store.move('src', 'lib')).toEqual(['src/b.ts', 'lib/b.ts', 'src/a.ts', 'lib/a.ts']);
    expect(store.paths().sort()).toEqual(['lib/a.ts', 'lib/b.ts', 'srcx/c.ts']);
    expect(store.drop('lib/a.ts')).toEqual(['lib/a.ts']);
    expect(store.paths().sort()).toEqual(['lib/b.ts', 'srcx/c.ts']);
  });

  it('keeps exception filters without duplicates', () => {
    const store = new BreakpointStore();
    store.exceptionFilters = ['all', 'all', 'uncaught'];
    expect(store.exceptionFilters).toEqual(['all', 'uncaught']);
  });

  it('makes a start wait for the debugger for a breakpoint or a pause on every exception, not for the default pause on uncaught ones', () => {
    const store = new BreakpointStore();
    store.exceptionFilters = ['uncaught'];
    expect(store.stopsWhileLoading).toBe(false);
    store.set('src/a.ts', [{ line: 4 }]);
    expect(store.stopsWhileLoading).toBe(true);
    store.set('src/a.ts', []);
    expect(store.stopsWhileLoading).toBe(false);
    store.exceptionFilters = ['all'];
    expect(store.stopsWhileLoading).toBe(true);
  });
});
