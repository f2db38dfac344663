import { afterEach, describe, expect, it, vi } from 'vitest';
import { enableLoopbackQuickAck } from './loopbackQuickAck.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('enableLoopbackQuickAck', () => {
  it('only logs, and never throws, when it cannot reach the namespace', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // Above the kernel's largest pid: no such process, so nsenter fails (or, without root, nothing runs).
    await expect(enableLoopbackQuickAck(2 ** 22 + 1)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/slower/);
  });

  it('does nothing for a container without a process', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(enableLoopbackQuickAck(0)).resolves.toBeUndefined();
    expect(warn.mock.calls.filter(([m]) => !String(m).includes('not run as root'))).toHaveLength(0);
  });
});
