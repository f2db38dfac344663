import { describe, expect, it } from 'vitest';
import { counter, describeCpuQuota, describeMemoryLimit, describeProcessLimit, finite, LimitWatch, type CgroupReading } from './limits.mjs';
import { LogHub } from './logs.mjs';

const reading = (over: Partial<CgroupReading> = {}): CgroupReading => ({ memoryBytes: 768 * 1024 * 1024, pidsMax: 512, cpuCores: 1, oomKills: 0, pidsRefused: 0, ...over });

describe('cgroup readings', () => {
  it('reads counters and treats "max" and v1 huge values as no limit', () => {
    expect(counter('low 0\noom 2\noom_kill 3\n', 'oom_kill')).toBe(3);
    expect(counter('max 7', 'oom_kill')).toBe(0);
    expect(counter(null, 'max')).toBe(0);
    expect(finite('max')).toBeNull();
    expect(finite('9223372036854771712')).toBeNull();
    expect(finite(null)).toBeNull();
    expect(finite('0')).toBeNull();
    expect(finite('805306368')).toBe(805306368);
  });

  it('names each limit with its value when known', () => {
    expect(describeMemoryLimit(reading())).toBe('sandbox memory limit (768 MB)');
    expect(describeMemoryLimit(null)).toBe('sandbox memory limit');
    expect(describeProcessLimit(reading())).toBe('process limit (512)');
    expect(describeProcessLimit(reading({ pidsMax: null }))).toBe('process limit');
    expect(describeCpuQuota(reading())).toBe('CPU quota 1 core');
    expect(describeCpuQuota(reading({ cpuCores: 1.5 }))).toBe('CPU quota 1.5 cores');
    expect(describeCpuQuota(reading({ cpuCores: null }))).toBe('CPU quota');
  });
});

describe('LimitWatch', () => {
  it('writes a log line naming the limit each time a counter goes up, and nothing otherwise', async () => {
    const readings = [reading(), reading(), reading({ oomKills: 1 }), reading({ oomKills: 1, pidsRefused: 4 }), reading({ oomKills: 1, pidsRefused: 4 })];
    let next = 0;
    const logs = new LogHub();
    const watch = new LimitWatch({ logs, disks: [], chaincodePid: () => null, readCgroup: async () => readings[Math.min(next++, readings.length - 1)] ?? reading() });
    await watch.start();
    watch.stop();
    for (let i = 0; i < 4; i++) await watch.poll();
    expect(logs.history().map((e) => e.text)).toEqual([
      'A process was killed: sandbox memory limit (768 MB) reached.',
      'process limit (512) reached: 4 new process(es) refused (EAGAIN).',
    ]);
  });
});
