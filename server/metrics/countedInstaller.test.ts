import { describe, expect, it } from 'vitest';
import { ErrorCode, StudioError } from '../errors.ts';
import type { InstalledDependencies } from '../npm/dependencyInstaller.ts';
import { countInstalls } from './countedInstaller.ts';

const installed = (fromCache: boolean): InstalledDependencies => ({ nodeModulesDir: '/deps/x/node_modules', key: 'x', packages: 3, fromCache, durationMs: 1 });

describe('countInstalls', () => {
  it('counts each install as installed, cached or failed, and hands back what the installer did', async () => {
    const results: string[] = [];
    const metrics = { dependencyInstallFinished: (result: string, seconds: number) => results.push(`${result}:${seconds >= 0}`) };
    const answers = [installed(false), installed(true)];
    const installer = countInstalls(
      { install: async () => answers.shift() ?? Promise.reject(new StudioError(ErrorCode.NotFound, 'no such package')), installed: async () => undefined },
      metrics,
    );
    expect((await installer.install('/w')).fromCache).toBe(false);
    expect((await installer.install('/w')).fromCache).toBe(true);
    await expect(installer.install('/w')).rejects.toThrow('no such package');
    expect(results).toEqual(['installed:true', 'cached:true', 'failed:true']);
  });
});
