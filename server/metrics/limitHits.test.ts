import { describe, expect, it, vi } from 'vitest';
import { describeExit } from '../../sandbox/agent/chaincode.mjs';
import { LimitWatch, type CgroupReading } from '../../sandbox/agent/limits.mjs';
import { LogHub } from '../../sandbox/agent/logs.mjs';
import { maxLogLinesPerSecond } from '../../sandbox/agent/constants.mjs';
import { limitHitOf } from './limitHits.ts';

const reading = (over: Partial<CgroupReading> = {}): CgroupReading => ({ memoryBytes: 768 * 1024 * 1024, pidsMax: 512, cpuCores: 1, oomKills: 0, pidsRefused: 0, ...over });
const sandboxLine = (text: string) => ({ source: 'sandbox' as const, text });

describe('limit hits in the agent log', () => {
  it('recognises the lines the agent writes when a process hits the memory or the process limit', async () => {
    const readings = [reading(), reading({ oomKills: 1 }), reading({ oomKills: 1, pidsRefused: 3 })];
    let next = 0;
    const logs = new LogHub();
    const watch = new LimitWatch({ logs, disks: [], chaincodePid: () => null, readCgroup: async () => readings[Math.min(next++, readings.length - 1)] ?? reading() });
    await watch.start();
    watch.stop();
    await watch.poll();
    await watch.poll();
    expect(logs.history().map((line) => limitHitOf(line))).toEqual(['memory', 'processes']);
  });

  it('recognises the log-rate line the agent writes when it drops a flood', () => {
    vi.useFakeTimers();
    try {
      const logs = new LogHub({ now: () => Date.now() });
      for (let i = 0; i <= maxLogLinesPerSecond + 5; i++) logs.write('chaincode', `line ${i}`);
      vi.advanceTimersByTime(1100);
      const kinds = logs.history().map((line) => limitHitOf(line)).filter(Boolean);
      expect(kinds).toEqual(['log_rate']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('recognises the heap exit, and not the memory-kill exit (LimitWatch reports that one already)', () => {
    const heap = describeExit({ endedBecause: null, heapExhausted: true, code: null, signal: 'SIGABRT', oomKillsBefore: 0, cgroup: reading() });
    expect(limitHitOf(sandboxLine(`The chaincode process ${heap}. Fix the code and press Run to start it again.`))).toBe('heap');
    const oom = describeExit({ endedBecause: null, heapExhausted: false, code: null, signal: 'SIGKILL', oomKillsBefore: 0, cgroup: reading({ oomKills: 1 }) });
    expect(limitHitOf(sandboxLine(`The chaincode process ${oom}. Fix the code and press Run to start it again.`))).toBeUndefined();
  });

  it('recognises the disk and CPU lines (their wording in sandbox/agent/limits.mjs)', () => {
    expect(limitHitOf(sandboxLine('Disk quota: the ledger disk is full (499 of 512 MB used); writes there fail with ENOSPC.'))).toBe('disk');
    expect(limitHitOf(sandboxLine('The chaincode has used its whole CPU quota 1 core for 5 s (a busy loop?). The peer and the server stay responsive; press Run to restart it.'))).toBe('cpu');
  });

  it('ignores the chaincode posing as the agent, and ordinary lines', () => {
    expect(limitHitOf({ source: 'chaincode', text: 'A process was killed: sandbox memory limit (768 MB) reached.' })).toBeUndefined();
    expect(limitHitOf(sandboxLine('Chaincode basic started (pid 42) with the inspector'))).toBeUndefined();
    expect(limitHitOf(sandboxLine('Dependencies not installed: A process was killed: sandbox memory limit'))).toBeUndefined();
  });
});
