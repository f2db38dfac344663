/**
 * A workspace's dependencies installed by the machine's real npm from the
 * public npm registry (which this test needs; the offline checks, with a
 * fake npm, are in server/npm/dependencyInstaller.test.ts).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../server/errors.ts';
import { lockfileFor } from '../../../server/export/lockfile.ts';
import { createDependencyInstaller, npmInstallArgs } from '../../../server/npm/dependencyInstaller.ts';

let work: string;
let cacheRoot: string;
let workspaceCount = 0;

async function workspace(files: Record<string, string>): Promise<string> {
  workspaceCount += 1;
  const dir = path.join(work, `ws-${workspaceCount}`);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

async function installedVersion(nodeModulesDir: string, name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(nodeModulesDir, name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ccs-deps-it-'));
  cacheRoot = path.join(work, 'cache');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('dependency installer with the npm registry', () => {
  it('installs dependencies and devDependencies without scripts, then serves the next workspace from the cache', async () => {
    const installer = createDependencyInstaller({ cacheRoot });
    const first = await workspace({
      'package.json': JSON.stringify({
        name: 'tiny-cc',
        version: '0.1.0',
        scripts: { postinstall: 'node -e "process.exit(1)"' },
        dependencies: { 'json-stringify-deterministic': '^1.0.12', 'sort-keys-recursive': '^2.1.10' },
        devDependencies: { '@tsconfig/node20': '^20.1.4' },
      }),
    });
    const steps: string[] = [];
    const cold = await installer.install(first, { onProgress: (step) => steps.push(step) });
    expect(cold.fromCache).toBe(false);
    expect(cold.packages).toBeGreaterThanOrEqual(3);
    for (const name of ['json-stringify-deterministic', 'sort-keys-recursive', '@tsconfig/node20']) {
      expect(await installedVersion(cold.nodeModulesDir, name), name).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(JSON.parse(await readFile(path.join(cold.nodeModulesDir, '@tsconfig', 'node20', 'tsconfig.json'), 'utf8'))).toHaveProperty('compilerOptions');
    expect(steps[0]).toBe('Resolving 3 dependencies');
    expect(steps.some((step) => /^Fetching sort-keys-recursive@2\.\d+\.\d+$/.test(step))).toBe(true);
    expect(steps.at(-1)).toMatch(new RegExp(`^Installed ${cold.packages} packages in \\d+\\.\\d s$`));
    expect(npmInstallArgs('https://registry.npmjs.org/')).toContain('--ignore-scripts');

    // Another workspace, same dependencies in another order, another installer (a restarted server).
    const second = await workspace({
      'package.json': JSON.stringify({
        devDependencies: { '@tsconfig/node20': '^20.1.4' },
        dependencies: { 'sort-keys-recursive': '^2.1.10', 'json-stringify-deterministic': '^1.0.12' },
      }),
    });
    const restarted = await createDependencyInstaller({ cacheRoot }).install(second);
    expect(restarted).toMatchObject({ fromCache: true, key: cold.key, nodeModulesDir: cold.nodeModulesDir, packages: cold.packages });
    // The same installer again: no npm runs at all (the restarted one asked npm its version once).
    const warm = await installer.install(second);
    expect(warm).toMatchObject({ fromCache: true, key: cold.key });
    expect(warm.durationMs).toBeLessThan(250);
    console.info(
      `cold install ${Math.round(cold.durationMs)} ms, cached ${Math.round(warm.durationMs)} ms ` +
        `(${Math.round(restarted.durationMs)} ms after a restart), ${cold.packages} packages`,
    );
  }, 240_000);

  it('installs exactly the versions a lockfile locks', async () => {
    // A lockfile npm resolved for the exact version, then given the range package.json asks for.
    const locked = JSON.parse(
      await lockfileFor(JSON.stringify({ name: 'locked-cc', version: '0.1.0', dependencies: { 'sort-keys-recursive': '2.1.0' } }), {
        cacheDir: path.join(work, 'lockfiles'),
      }),
    ) as { packages: Record<string, { dependencies?: Record<string, string>; version?: string }> };
    const root = locked.packages[''];
    if (root?.dependencies === undefined) throw new Error('npm wrote a lockfile without a root entry');
    root.dependencies['sort-keys-recursive'] = '^2.1.0';
    const dir = await workspace({
      'package.json': JSON.stringify({ name: 'locked-cc', version: '0.1.0', dependencies: { 'sort-keys-recursive': '^2.1.0' } }),
      'package-lock.json': JSON.stringify(locked, null, 2),
    });
    const steps: string[] = [];
    const result = await createDependencyInstaller({ cacheRoot }).install(dir, { onProgress: (step) => steps.push(step) });
    expect(steps[0]).toBe('Installing 1 dependency as locked in package-lock.json');
    expect(await installedVersion(result.nodeModulesDir, 'sort-keys-recursive')).toBe('2.1.0');
    for (const [where, entry] of Object.entries(locked.packages)) {
      if (where === '') continue;
      expect(await installedVersion(result.nodeModulesDir, where.replace(/^node_modules\//, '')), where).toBe(entry.version);
    }
  }, 240_000);

  it('names a package the registry does not have', async () => {
    const dir = await workspace({ 'package.json': JSON.stringify({ dependencies: { 'json-stringify-deterministiq': '^1.0.0' } }) });
    await expect(createDependencyInstaller({ cacheRoot }).install(dir)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      message: '`json-stringify-deterministiq@^1.0.0` is not in the npm registry (E404): check the name in package.json.',
    });
  }, 120_000);
});
