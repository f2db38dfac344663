import { describe, expect, it } from 'vitest';
import { ErrorCode, StudioError } from '../errors.ts';
import type { SandboxDriver, SandboxHandle } from '../sandbox/sandboxDriver.ts';
import { countStartFailures } from './countedDriver.ts';

/** A driver whose starts fail with `failure` (or succeed without it), sharing one promise per workspace like the Docker driver. */
function fakeDriver(failure: unknown): SandboxDriver {
  const starting = new Map<string, Promise<SandboxHandle>>();
  return {
    instance: 'fake',
    buildDir: (w) => `/builds/${w}`,
    start(workspace) {
      let pending = starting.get(workspace);
      if (!pending) {
        pending = failure === undefined ? Promise.resolve({ workspace } as SandboxHandle) : Promise.reject(failure);
        starting.set(workspace, pending);
      }
      return pending;
    },
    find: async () => undefined,
    stop: async () => undefined,
    destroy: async () => undefined,
    list: async () => [],
    memoryBytes: async () => 42,
    exists: async () => false,
    spares: {
      start: async () => (failure === undefined ? undefined : Promise.reject(failure)),
      claim: async (_id, workspace) => ({ workspace }) as SandboxHandle,
      destroy: async () => undefined,
      list: async () => [],
    },
  };
}

describe('countStartFailures', () => {
  it('counts a failed start once by its error code, however many callers shared it', async () => {
    const causes: string[] = [];
    const driver = countStartFailures(fakeDriver(new StudioError(ErrorCode.Timeout, 'not ready')), { sandboxStartFailed: (c) => causes.push(c) });
    await expect(driver.start('a', () => undefined)).rejects.toThrow('not ready');
    await expect(driver.start('a', () => undefined)).rejects.toThrow('not ready');
    await expect(countStartFailures(fakeDriver(new Error('boom')), { sandboxStartFailed: (c) => causes.push(c) }).start('b', () => undefined)).rejects.toThrow('boom');
    expect(causes).toEqual(['timeout', 'internal']);
  });

  it('passes everything else through and counts nothing for a start that works', async () => {
    const causes: string[] = [];
    const driver = countStartFailures(fakeDriver(undefined), { sandboxStartFailed: (c) => causes.push(c) });
    expect((await driver.start('a', () => undefined)).workspace).toBe('a');
    expect(driver.instance).toBe('fake');
    expect(driver.buildDir('a')).toBe('/builds/a');
    expect(await driver.memoryBytes('a')).toBe(42);
    expect(causes).toEqual([]);
  });
});
