import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, StudioError } from '../errors.ts';
import { peerCalculatePackageId } from './fabricCli.ts';
import { lockfileFor } from './lockfile.ts';
import { productionManifest, productionNodePackage, readCompiledApp } from './productionApp.ts';
import { readTarGz } from './tarReader.ts';

const workspaceManifest = {
  name: 'tiny-cc',
  version: '0.1.0',
  description: 'A tiny chaincode',
  main: 'dist/index.js',
  scripts: { build: 'tsc', prepare: 'npm run build', start: 'node dist/index.js' },
  license: 'Apache-2.0',
  dependencies: { 'fabric-contract-api': '2.5.8', 'fabric-shim': '2.5.8' },
  devDependencies: { typescript: '~5.9.3' },
};

let work: string;
let buildDir: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ccs-app-'));
  buildDir = path.join(work, 'build');
  await mkdir(path.join(buildDir, 'dist'), { recursive: true });
  await writeFile(path.join(buildDir, 'package.json'), JSON.stringify(workspaceManifest));
  await writeFile(path.join(buildDir, 'package-lock.json'), '{"stale": true}');
  await writeFile(path.join(buildDir, 'dist/index.js'), "'use strict';\nexports.contracts = [];\n");
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('production manifest', () => {
  it('keeps what running needs and drops build-time scripts and devDependencies', () => {
    const { text, main } = productionManifest(workspaceManifest);
    expect(main).toBe('dist/index.js');
    expect(JSON.parse(text)).toEqual({
      name: 'tiny-cc',
      version: '0.1.0',
      description: 'A tiny chaincode',
      license: 'Apache-2.0',
      main: 'dist/index.js',
      scripts: { start: 'fabric-chaincode-node start' },
      dependencies: { 'fabric-contract-api': '2.5.8', 'fabric-shim': '2.5.8' },
    });
  });

  it('refuses a chaincode whose fabric dependencies are only devDependencies', () => {
    const manifest = { ...workspaceManifest, dependencies: { 'fabric-contract-api': '2.5.8' }, devDependencies: { 'fabric-shim': '2.5.8' } };
    expect(() => productionManifest(manifest)).toThrow(/must list fabric-shim under "dependencies"/);
    expect(() => productionManifest([])).toThrow(StudioError);
  });

  it('refuses a build whose main file is missing', async () => {
    const dir = path.join(work, 'nomain');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'package.json'), JSON.stringify(workspaceManifest));
    await expect(readCompiledApp(dir)).rejects.toThrow(/"dist\/index.js" as the chaincode's main file, but the build has no such file/);
    await expect(readCompiledApp(path.join(work, 'absent'))).rejects.toMatchObject({ code: ErrorCode.Export });
  });
});

describe('lockfile', () => {
  it('is a real npm lockfile of the fabric 2.5.8 tree, cached by package.json', async () => {
    const cacheDir = path.join(work, 'lock-cache');
    const { text } = productionManifest(workspaceManifest);
    const lockfile = await lockfileFor(text, { cacheDir });
    const parsed = JSON.parse(lockfile) as {
      lockfileVersion: number;
      packages: Record<string, { version?: string; resolved?: string; integrity?: string; dependencies?: Record<string, string> }>;
    };
    expect(parsed.lockfileVersion).toBeGreaterThanOrEqual(2);
    expect(parsed.packages['']?.dependencies).toEqual(workspaceManifest.dependencies);
    for (const name of ['fabric-shim', 'fabric-contract-api']) {
      const locked = parsed.packages[`node_modules/${name}`];
      expect(locked?.version).toBe('2.5.8');
    }
    expect(parsed.packages['node_modules/@grpc/grpc-js']).toBeDefined();
    // Every package is pinned by its hash, not by a registry URL.
    for (const [key, locked] of Object.entries(parsed.packages)) {
      if (key === '') continue;
      expect(locked.integrity, key).toMatch(/^sha512-/);
      expect(locked.resolved, key).toBeUndefined();
    }

    // A second request is served from the cache: it would time out if it ran npm again.
    expect(await lockfileFor(text, { cacheDir, timeoutMs: 1 })).toBe(lockfile);
  });

  it('fails with a clear error when npm cannot finish in time or reach the registry', async () => {
    const { text } = productionManifest({ ...workspaceManifest, name: 'tiny-cc-unlocked' });
    await expect(lockfileFor(text, { cacheDir: path.join(work, 'c1'), timeoutMs: 1 })).rejects.toMatchObject({
      code: ErrorCode.Export,
      message: expect.stringMatching(/did not resolve the chaincode's dependencies within/),
    });
    await expect(lockfileFor(text, { cacheDir: path.join(work, 'c2'), registry: 'http://127.0.0.1:9/' })).rejects.toMatchObject({
      code: ErrorCode.Export,
      message: expect.stringMatching(/could not resolve the chaincode's dependencies/),
    });
    expect(existsSync(path.join(work, 'c2'))).toBe(false);
  });
});

describe('production node package', () => {
  it('holds the compiled code, the production package.json and its lockfile, with the ID the peer computes', async () => {
    const built = await productionNodePackage({ label: 'tiny_0.1.0', buildDir, lockfileOptions: { cacheDir: path.join(work, 'lock-cache') } });
    expect(built.codeEntries).toEqual(['src/dist/index.js', 'src/package-lock.json', 'src/package.json']);

    const [, code] = await readTarGz(built.bytes);
    const files = new Map((await readTarGz(code?.content ?? Buffer.alloc(0))).map((e) => [e.header.name, e.content.toString()]));
    expect(JSON.parse(files.get('src/package.json') ?? '')).toMatchObject({ scripts: { start: 'fabric-chaincode-node start' } });
    expect(JSON.parse(files.get('src/package-lock.json') ?? '')).toMatchObject({ name: 'tiny-cc', lockfileVersion: 3 });

    const file = path.join(work, 'tiny.tar.gz');
    await writeFile(file, built.bytes);
    expect(await peerCalculatePackageId(file)).toBe(built.packageId);
    expect((await readFile(file)).equals(built.bytes)).toBe(true);
  });
});
