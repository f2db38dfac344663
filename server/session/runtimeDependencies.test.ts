import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { placeRuntimeDependencies } from './runtimeDependencies.ts';

describe('placeRuntimeDependencies', () => {
  let base: string;
  let installed: string;
  let buildDir: string;

  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'runtime-deps-'));
    installed = path.join(base, 'cache', 'node_modules');
    buildDir = path.join(base, 'build');
    for (const dir of ['sort-keys/lib', 'fabric-shim', 'fabric-contract-api', '.bin']) await fs.mkdir(path.join(installed, dir), { recursive: true });
    await fs.writeFile(path.join(installed, 'sort-keys/lib/index.js'), 'module.exports = 1;\n', { mode: 0o644 });
    await fs.writeFile(path.join(installed, 'sort-keys/secret.js'), 'module.exports = 2;\n');
    await fs.chmod(path.join(installed, 'sort-keys/secret.js'), 0o600);
    await fs.writeFile(path.join(installed, 'fabric-shim/index.js'), '\n');
    await fs.writeFile(path.join(installed, 'fabric-contract-api/index.js'), '\n');
    await fs.symlink('../sort-keys/lib/index.js', path.join(installed, '.bin', 'sort-keys'));
    await fs.mkdir(buildDir);
  });

  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it('links the packages beside the app, without the sandbox-provided ones, readable by any uid', async () => {
    expect(await placeRuntimeDependencies(buildDir, { nodeModulesDir: installed, key: 'k1' })).toEqual({ changed: true });
    const target = path.join(buildDir, 'node_modules');
    expect((await fs.readdir(target)).sort()).toEqual(['.studio-dependency-key', 'sort-keys']);
    const linked = await fs.stat(path.join(target, 'sort-keys/lib/index.js'));
    expect(linked.ino).toBe((await fs.stat(path.join(installed, 'sort-keys/lib/index.js'))).ino);
    // Not readable by others in the install: copied, and the copy made readable (the install untouched).
    const copied = await fs.stat(path.join(target, 'sort-keys/secret.js'));
    expect(copied.mode & 0o777).toBe(0o644);
    expect((await fs.stat(path.join(installed, 'sort-keys/secret.js'))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.join(target, 'sort-keys/lib'))).mode & 0o777).toBe(0o755);
  });

  it('leaves the folder alone for the same key, and replaces it for another', async () => {
    await placeRuntimeDependencies(buildDir, { nodeModulesDir: installed, key: 'k1' });
    expect(await placeRuntimeDependencies(buildDir, { nodeModulesDir: installed, key: 'k1' })).toEqual({ changed: false });
    await fs.rm(path.join(installed, 'sort-keys/secret.js'));
    expect(await placeRuntimeDependencies(buildDir, { nodeModulesDir: installed, key: 'k2' })).toEqual({ changed: true });
    expect(await fs.readFile(path.join(buildDir, 'node_modules/.studio-dependency-key'), 'utf8')).toBe('k2');
    await expect(fs.access(path.join(buildDir, 'node_modules/sort-keys/secret.js'))).rejects.toThrow();
    // Nothing left over beside it.
    expect(await fs.readdir(buildDir)).toEqual(['node_modules']);
  });

  it('removes the folder once the workspace needs no packages', async () => {
    await placeRuntimeDependencies(buildDir, { nodeModulesDir: installed, key: 'k1' });
    expect(await placeRuntimeDependencies(buildDir, undefined)).toEqual({ changed: true });
    expect(await fs.readdir(buildDir)).toEqual([]);
    expect(await placeRuntimeDependencies(buildDir, undefined)).toEqual({ changed: false });
  });
});
