import { describe, expect, it } from 'vitest';
import { oneStartPerWorkspace, type SandboxHandle, type SandboxMode } from './sandboxDriver.ts';

describe('oneStartPerWorkspace', () => {
  it('gives a second start of a workspace the first one’s promise, starts other workspaces apart, and starts again once it ended', async () => {
    const calls: string[] = [];
    const releases: (() => void)[] = [];
    const start = oneStartPerWorkspace((workspace: string, _progress, mode: SandboxMode) => {
      calls.push(`${workspace}:${mode}`);
      return new Promise<SandboxHandle>((resolve) => releases.push(() => resolve({ workspace } as unknown as SandboxHandle)));
    });
    const first = start('a', () => undefined);
    const again = start('a', () => undefined, { mode: 'production' });
    const other = start('b', () => undefined, { mode: 'production' });
    expect(again).toBe(first);
    expect(calls).toEqual(['a:dev', 'b:production']);
    for (const release of releases) release();
    await Promise.all([first, other]);
    const third = start('a', () => undefined);
    releases.at(-1)?.();
    await third;
    expect(calls).toEqual(['a:dev', 'b:production', 'a:dev']);
  });
});
