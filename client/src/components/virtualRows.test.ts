import { describe, expect, it } from 'vitest';
import { pagesOf, visibleRows } from './virtualRows.ts';

describe('visibleRows', () => {
  it('renders a screenful and the overscan, not the 10,000 rows', () => {
    expect(visibleRows(0, 240, 24, 10_000, 10)).toEqual({ first: 0, last: 20 });
    const { first, last } = visibleRows(24 * 5_000, 240, 24, 10_000, 10);
    expect([first, last]).toEqual([4_990, 5_020]);
  });

  it('stays inside the list at its end and when it is short', () => {
    expect(visibleRows(24 * 9_999, 240, 24, 10_000, 10)).toEqual({ first: 9_989, last: 10_000 });
    expect(visibleRows(0, 240, 24, 3, 10)).toEqual({ first: 0, last: 3 });
    expect(visibleRows(5_000, 240, 24, 0, 10)).toEqual({ first: 0, last: 0 });
  });
});

describe('pagesOf', () => {
  it('names each page the rows fall in once', () => {
    expect(pagesOf(4_990, 5_020, 100)).toEqual([4_900, 5_000]);
    expect(pagesOf(0, 20, 100)).toEqual([0]);
    expect(pagesOf(0, 0, 100)).toEqual([]);
  });
});
