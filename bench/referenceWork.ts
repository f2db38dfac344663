/**
 * A fixed piece of CPU work timed in the bench's own process, so that figures from runs on a
 * busier or slower machine can be told apart from figures that changed: the shared machines we
 * measure on vary by more than half between hours. Reported as `referenceWorkMs`; compare it
 * before reading another figure across runs.
 */
import { performance } from 'node:perf_hooks';
import { percentile } from './percentile.ts';

/** What a compile or a chaincode start does most: build objects, turn them to text and back, sort. */
function work(): number {
  const items = Array.from({ length: 40_000 }, (_, i) => ({ id: `asset${i}`, owner: `owner${(i * 7919) % 1000}`, value: (i * 104_729) % 10_007, tags: [i % 3, i % 5] }));
  const parsed = JSON.parse(JSON.stringify(items)) as typeof items;
  parsed.sort((a, b) => a.owner.localeCompare(b.owner) || a.value - b.value);
  return parsed.filter((item) => /^owner(1|2)\d*$/.test(item.owner)).length;
}

/** Median time of seven runs of the same work, after one to warm up. */
export function timeReferenceWork(): number {
  work();
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
}
