/** The rows a virtualised list renders: those in view plus `overscan` either side, as [first, last). */
export function visibleRows(scrollTop: number, viewportPx: number, rowHeightPx: number, total: number, overscan: number): { first: number; last: number } {
  const first = Math.min(total, Math.max(0, Math.floor(scrollTop / rowHeightPx) - overscan));
  const last = Math.min(total, Math.ceil((scrollTop + viewportPx) / rowHeightPx) + overscan);
  return { first, last: Math.max(first, last) };
}

/** The offsets of the pages of `pageSize` rows that rows [first, last) fall in. */
export function pagesOf(first: number, last: number, pageSize: number): number[] {
  const offsets: number[] = [];
  for (let offset = first - (first % pageSize); offset < last; offset += pageSize) offsets.push(offset);
  return offsets;
}
