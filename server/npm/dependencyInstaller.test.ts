/**
 * The installer without a registry: a fake `npm` on PATH (a shell script that
 * records how it was called and acts as told) stands in for the real one.
 * Installs from the real npm registry are in
 * tests/integration/npm/dependencyInstaller.integration.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, StudioError } from '../errors.ts';
import { dependencyKey } from './dependencyCache.ts';
import { createDependencyInstaller, type DependencyInstallerOptions } from './dependencyInstaller.ts';
import { readDependencyManifest } from './dependencyManifest.ts';

const registryUrl = 'https://registry.npmjs.org/';

// Modes: ok (two packages), sleep (never ends), e404, big (a 2 MiB file).
const fakeNpm = (dir: string): string => `#!/bin/sh
if [ "$1" = "--version" ]; then echo 11.1.0; exit 0; fi
n=$(ls "${dir}/calls" | wc -l)
echo "$@" > "${dir}/calls/$n.args"
env > "${dir}/calls/$n.env"
mode=$(cat "${dir}/mode")
case "$mode" in
  sleep)
    echo $$ > "${dir}/npm.pid"
    sleep 60 &
    echo $! > "${dir}/sleep.pid"
    wait
    ;;
  e404)
    echo "npm error code E404" >&2
    echo "npm error 404 Not Found - GET https://registry.npmjs.org/json-stringify-deterministiq - Not found" >&2
    echo "npm error 404  The requested resource 'json-stringify-deterministiq@^1.0.0' could not be found or you do not have permission to access it." >&2
    exit 1
    ;;
esac
mkdir -p node_modules/a node_modules/b
echo "npm http fetch GET 200 https://registry.npmjs.org/a/-/a-1.0.0.tgz 5ms (cache miss)" >&2
printf '{"lockfileVersion":3,"packages":{"":{},"node_modules/a":{},"node_modules/b":{}}}' > node_modules/.package-lock.json
if [ "$mode" = big ]; then head -c 2097152 /dev/zero > node_modules/a/big; fi
`;

let work: string;
let fake: string;
let workspaceCount = 0;

async function workspace(files: Record<string, unknown>): Promise<string> {
  workspaceCount += 1;
  const dir = path.join(work, `ws-${workspaceCount}`);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

function installer(overrides: Partial<DependencyInstallerOptions> = {}) {
  return createDependencyInstaller({
    cacheRoot: path.join(work, 'cache'),
    registryUrl,
    searchPath: `${path.join(fake, 'bin')}:${process.env.PATH ?? ''}`,
    timeoutMs: 30_000,
    lockPollMs: 20,
    ...overrides,
  });
}

async function refusal(promise: Promise<unknown>): Promise<StudioError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof StudioError) return err;
    throw err;
  }
  throw new Error('not refused');
}

const calls = async (): Promise<string[]> => (await readdir(path.join(fake, 'calls'))).filter((name) => name.endsWith('.args'));
const setMode = (mode: string): Promise<void> => writeFile(path.join(fake, 'mode'), mode);

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ccs-deps-'));
  fake = path.join(work, 'fake');
  await mkdir(path.join(fake, 'bin'), { recursive: true });
  await writeFile(path.join(fake, 'bin', 'npm'), fakeNpm(fake));
  await chmod(path.join(fake, 'bin', 'npm'), 0o755);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

beforeEach(async () => {
  await rm(path.join(fake, 'calls'), { recursive: true, force: true });
  await mkdir(path.join(fake, 'calls'));
  await rm(path.join(work, 'cache'), { recursive: true, force: true });
  await setMode('ok');
});

describe('dependency specs and lockfiles', () => {
  it('refuses git, file, URL and alias specs, naming the dependency, before npm runs', async () => {
    for (const [field, spec, kind] of [
      ['dependencies', 'git+ssh://git@github.com/user/evil.git', 'a git repository'],
      ['devDependencies', 'file:../evil', 'a local path'],
      ['dependencies', 'https://example.com/evil.tgz', 'a URL'],
      ['optionalDependencies', 'npm:fabric-shim@2.5.8', 'an npm alias'],
    ] as const) {
      const dir = await workspace({ 'package.json': { dependencies: { 'sort-keys-recursive': '^2.1.0' }, [field]: { evil: spec } } });
      const err = await refusal(installer().install(dir));
      expect(err.code).toBe(ErrorCode.BadFile);
      expect(err.message).toContain(`The dependency "evil": ${JSON.stringify(spec)} in "${field}" is ${kind}`);
      expect(err.message).toMatch(/name a version or range instead/);
    }
    const override = await workspace({ 'package.json': { dependencies: { a: '1.0.0' }, overrides: { b: { c: 'github:user/c' } } } });
    expect((await refusal(installer().install(override))).message).toMatch(/^The override "overrides.b.c": "github:user\/c"/);
    expect(await calls()).toEqual([]);
  });

  it('names the field of a package.json of the wrong shape', async () => {
    const array = await workspace({ 'package.json': { dependencies: ['a'] } });
    expect(await refusal(installer().install(array))).toMatchObject({ code: ErrorCode.BadFile, message: expect.stringMatching(/field "dependencies" is not valid/) });
    const notJson = await workspace({ 'package.json': '{ "dependencies": ' });
    expect((await refusal(installer().install(notJson))).message).toMatch(/package.json is not valid JSON/);
    expect((await refusal(installer().install(await workspace({})))).message).toMatch(/has no package.json/);
  });

  it('refuses a lockfile that resolves a package from anywhere but the registry', async () => {
    for (const [resolved, extra] of [
      ['git+ssh://git@github.com/user/evil.git#abc', {}],
      ['file:../evil', {}],
      ['https://evil.example.com/evil/-/evil-1.0.0.tgz', {}],
      ['http://registry.npmjs.org/evil/-/evil-1.0.0.tgz', {}],
      [undefined, { link: true }],
    ] as const) {
      const lockfile = { lockfileVersion: 3, packages: { '': {}, 'node_modules/evil': { version: '1.0.0', resolved, ...extra } } };
      const dir = await workspace({ 'package.json': { dependencies: { evil: '1.0.0' } }, 'package-lock.json': lockfile });
      const err = await refusal(installer().install(dir));
      expect(err.code, String(resolved)).toBe(ErrorCode.BadFile);
      expect(err.message).toMatch(/^The package "evil" in the workspace's package-lock.json is /);
      expect(err.message).toContain('only packages from the npm registry');
    }
    const outside = await workspace({
      'package.json': { dependencies: { a: '1.0.0' } },
      'package-lock.json': { lockfileVersion: 3, packages: { '': {}, 'node_modules/../../evil': { version: '1.0.0' } } },
    });
    expect((await refusal(installer().install(outside))).message).toMatch(/^The package "..\/..\/evil" in the workspace's package-lock.json is a package at "node_modules\/..\/..\/evil", outside node_modules/);
    const v1 = await workspace({ 'package.json': { dependencies: { a: '1.0.0' } }, 'npm-shrinkwrap.json': { lockfileVersion: 1, dependencies: {} } });
    expect((await refusal(installer().install(v1))).message).toMatch(/npm-shrinkwrap.json is of lockfileVersion 1/);
    expect(await calls()).toEqual([]);
  });
});

describe('cache key', () => {
  const inputs = { npmVersion: '11.1.0', nodeVersion: 'v20.20.2', registryUrl };

  it('is the same for the same dependencies in another order, and changes with the lockfile and npm major', async () => {
    const a = await workspace({ 'package.json': { name: 'one', dependencies: { x: '^1.0.0', y: '2.0.0' }, devDependencies: { z: '~3.1.0' } } });
    const b = await workspace({ 'package.json': { devDependencies: { z: '~3.1.0' }, dependencies: { y: '2.0.0', x: '^1.0.0' }, name: 'two', scripts: { test: 'x' } } });
    const lockfile = (version: string) => ({ lockfileVersion: 3, packages: { '': {}, 'node_modules/x': { version } } });
    const c = await workspace({ 'package.json': { dependencies: { x: '^1.0.0', y: '2.0.0' }, devDependencies: { z: '~3.1.0' } }, 'package-lock.json': lockfile('1.0.0') });
    const d = await workspace({ 'package.json': { dependencies: { x: '^1.0.0', y: '2.0.0' }, devDependencies: { z: '~3.1.0' } }, 'package-lock.json': lockfile('1.0.1') });
    const [ka, kb, kc, kd] = await Promise.all([a, b, c, d].map(async (dir) => dependencyKey(await readDependencyManifest(dir, registryUrl), inputs)));
    expect(ka).toMatch(/^[0-9a-f]{64}$/);
    expect(kb).toBe(ka);
    expect(kc).not.toBe(ka);
    expect(kd).not.toBe(kc);
    const manifest = await readDependencyManifest(a, registryUrl);
    expect(dependencyKey(manifest, { ...inputs, npmVersion: '11.9.9' })).toBe(ka);
    expect(dependencyKey(manifest, { ...inputs, npmVersion: '10.1.0' })).not.toBe(ka);
    expect(dependencyKey(manifest, { ...inputs, nodeVersion: 'v22.1.0' })).not.toBe(ka);
  });
});

describe('install', () => {
  it('runs npm on a generated package.json with scripts off and a stripped environment, then reuses the folder', async () => {
    process.env.STUDIO_TEST_SECRET = 'do-not-leak';
    try {
      const dir = await workspace({ 'package.json': { name: 'cc', scripts: { postinstall: 'touch /tmp/pwned' }, bin: 'x.js', dependencies: { b: '1.0.0', a: '^1.0.0' } } });
      const steps: string[] = [];
      const first = await installer().install(dir, { onProgress: (step) => steps.push(step) });
      expect(first).toMatchObject({ packages: 2, fromCache: false, nodeModulesDir: path.join(work, 'cache', first.key, 'node_modules') });
      expect(existsSync(path.join(first.nodeModulesDir, 'a'))).toBe(true);
      expect(steps[0]).toBe('Resolving 2 dependencies');
      expect(steps).toContain('Fetching a@1.0.0');
      expect(steps.at(-1)).toMatch(/^Installed 2 packages in \d+\.\d s$/);

      const [args] = await calls();
      const argv = (await readFile(path.join(fake, 'calls', args ?? ''), 'utf8')).trim().split(' ');
      expect(argv[0]).toBe('install');
      expect(argv).toEqual(expect.arrayContaining(['--ignore-scripts', '--include=dev', `--registry=${registryUrl}`]));
      const env = await readFile(path.join(fake, 'calls', '0.env'), 'utf8');
      expect(env).not.toMatch(/^STUDIO_/m);
      expect(env).toMatch(new RegExp(`^npm_config_cache=${path.join(work, 'cache', '.npm')}$`, 'm'));
      expect(env).not.toMatch(new RegExp(`^HOME=${process.env.HOME ?? '/root'}$`, 'm'));
      const generated = JSON.parse(await readFile(path.join(work, 'cache', first.key, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(generated).toEqual({ name: 'chaincode-dependencies', version: '0.0.0', private: true, dependencies: { a: '^1.0.0', b: '1.0.0' } });

      const other = await workspace({ 'package.json': { dependencies: { a: '^1.0.0', b: '1.0.0' } } });
      const second = await installer().install(other);
      expect(second).toMatchObject({ key: first.key, nodeModulesDir: first.nodeModulesDir, packages: 2, fromCache: true });
      expect(await calls()).toHaveLength(1);
    } finally {
      delete process.env.STUDIO_TEST_SECRET;
    }
  });

  it('finds an earlier install without running npm, and nothing before one or for a refused package.json', async () => {
    const dir = await workspace({ 'package.json': { dependencies: { a: '^1.0.0' } } });
    expect(await installer().installed(dir)).toBeUndefined();
    const done = await installer().install(dir);
    const before = (await calls()).length;
    expect(await installer().installed(dir)).toMatchObject({ key: done.key, nodeModulesDir: done.nodeModulesDir, packages: done.packages, fromCache: true });
    expect(await calls()).toHaveLength(before);
    const refused = await workspace({ 'package.json': { dependencies: { a: 'git+https://example.invalid/a.git' } } });
    expect(await installer().installed(refused)).toBeUndefined();
  });

  it('runs npm ci with the lockfile, and one install serves concurrent requests', async () => {
    const lockfile = { lockfileVersion: 3, packages: { '': {}, 'node_modules/a': { version: '1.0.0', resolved: `${registryUrl}a/-/a-1.0.0.tgz` } } };
    const dir = await workspace({ 'package.json': { dependencies: { a: '^1.0.0' } }, 'package-lock.json': lockfile });
    const shared = installer();
    const results = await Promise.all([shared.install(dir), shared.install(dir), installer().install(dir)]);
    expect(new Set(results.map((result) => result.key)).size).toBe(1);
    expect(results.filter((result) => !result.fromCache)).toHaveLength(1);
    expect(await calls()).toHaveLength(1);
    const argv = (await readFile(path.join(fake, 'calls', '0.args'), 'utf8')).trim().split(' ');
    expect(argv[0]).toBe('ci');
    expect(await readFile(path.join(work, 'cache', results[0]?.key ?? '', 'package-lock.json'), 'utf8')).toBe(JSON.stringify(lockfile));
  });

  it('installs again over a folder a crashed install left without its stamp', async () => {
    const dir = await workspace({ 'package.json': { dependencies: { a: '^1.0.0' } } });
    const first = await installer().install(dir);
    const folder = path.join(work, 'cache', first.key);
    await rm(path.join(folder, '.studio-complete'));
    await writeFile(path.join(first.nodeModulesDir, 'half-written'), '');
    const again = await installer().install(dir);
    expect(again).toMatchObject({ key: first.key, fromCache: false, packages: 2 });
    expect(existsSync(path.join(again.nodeModulesDir, 'half-written'))).toBe(false);
    expect(existsSync(path.join(folder, '.studio-complete'))).toBe(true);
    expect(await calls()).toHaveLength(2);
  });

  it('takes over the lock a killed server left, and waits for a live one', async () => {
    const dir = await workspace({ 'package.json': { dependencies: { a: '^1.0.0' } } });
    const key = dependencyKey(await readDependencyManifest(dir, registryUrl), { npmVersion: '11.1.0', nodeVersion: process.version, registryUrl });
    await mkdir(path.join(work, 'cache'), { recursive: true });
    const lock = path.join(work, 'cache', `${key}.lock`);
    await writeFile(lock, String(await exitedPid()));
    expect(await installer().install(dir)).toMatchObject({ key, fromCache: false });
    expect(existsSync(lock)).toBe(false);

    await rm(path.join(work, 'cache', key), { recursive: true });
    await writeFile(lock, String(process.ppid));
    const waiting = installer().install(dir);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await calls()).toHaveLength(1);
    await rm(lock);
    expect(await waiting).toMatchObject({ key, fromCache: false });
    expect(await calls()).toHaveLength(2);
  });

  it('removes the temp folders of installs a killed server left, once older than any install', async () => {
    const tmp = path.join(work, 'cache', '.tmp');
    await mkdir(path.join(tmp, 'old-install', 'node_modules'), { recursive: true });
    await mkdir(path.join(tmp, 'running-install'), { recursive: true });
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(path.join(tmp, 'old-install'), longAgo, longAgo);
    await installer({ timeoutMs: 1000 }).install(await workspace({ 'package.json': { dependencies: { a: '^1.0.0' } } }));
    expect(await readdir(tmp)).toEqual(['running-install']);
  });

  it('kills npm and what it started at the time limit, and names the limit', async () => {
    await setMode('sleep');
    const dir = await workspace({ 'package.json': { dependencies: { a: '^1.0.0' } } });
    const err = await refusal(installer({ timeoutMs: 1500 }).install(dir));
    expect(err.code).toBe(ErrorCode.Timeout);
    expect(err.message).toMatch(/within the 1.5 s limit/);
    for (const file of ['npm.pid', 'sleep.pid']) {
      const pid = Number(await readFile(path.join(fake, file), 'utf8'));
      expect(isRunning(pid), file).toBe(false);
    }
    expect((await readdir(path.join(work, 'cache'))).filter((name) => !name.startsWith('.'))).toEqual([]);
  });

  it('refuses an install over the size limit, naming it, and keeps nothing', async () => {
    await setMode('big');
    const dir = await workspace({ 'package.json': { dependencies: { a: '^1.0.0' } } });
    const err = await refusal(installer({ maxBytes: 1024 * 1024 - 1 }).install(dir));
    expect(err.code).toBe(ErrorCode.Limit);
    expect(err.message).toMatch(/more than the 1 MiB limit/);
    expect(await readdir(path.join(work, 'cache', '.tmp'))).toEqual([]);
  });

  it('names the package npm could not find', async () => {
    await setMode('e404');
    const dir = await workspace({ 'package.json': { dependencies: { 'json-stringify-deterministiq': '^1.0.0' } } });
    const err = await refusal(installer().install(dir));
    expect(err).toMatchObject({ code: ErrorCode.NotFound, data: { package: 'json-stringify-deterministiq@^1.0.0', npmCode: 'E404' } });
    expect(err.message).toBe('`json-stringify-deterministiq@^1.0.0` is not in the npm registry (E404): check the name in package.json.');
  });
});

/** The pid of a process that has ended. */
async function exitedPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  if (child.pid === undefined) throw new Error('true did not start');
  return child.pid;
}

/** True while `pid` runs (a zombie waiting for its parent to reap it has stopped running). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
