import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, StudioError } from '../errors.ts';
import { peerCalculatePackageId } from '../fabric/fabricCli.ts';
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

describe('production node package', () => {
  it('holds the compiled code, the production package.json and its lockfile, with the ID the peer computes', async () => {
    // A lockfile of npm's shape: resolving a real one needs the registry (lockfile.integration.test.ts).
    const lockfile = `${JSON.stringify({ name: 'tiny-cc', version: '0.1.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'tiny-cc' } } })}\n`;
    const built = await productionNodePackage({ label: 'tiny_0.1.0', buildDir, lockfile });
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

  it("carries the sources' META-INF/ CouchDB indexes at the code tar's root, where the peer reads them", async () => {
    const sourceDir = path.join(work, 'sources');
    const index = { index: { fields: ['docType', 'owner'] }, ddoc: 'indexOwnerDoc', name: 'indexOwner', type: 'json' };
    await mkdir(path.join(sourceDir, 'META-INF/statedb/couchdb/indexes'), { recursive: true });
    await writeFile(path.join(sourceDir, 'META-INF/statedb/couchdb/indexes/indexOwner.json'), JSON.stringify(index));
    const lockfile = `${JSON.stringify({ name: 'tiny-cc', version: '0.1.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'tiny-cc' } } })}\n`;
    const built = await productionNodePackage({ label: 'tiny_0.1.0', buildDir, sourceDir, lockfile });
    expect(built.codeEntries).toEqual(['META-INF/statedb/couchdb/indexes/indexOwner.json', 'src/dist/index.js', 'src/package-lock.json', 'src/package.json']);

    const [, code] = await readTarGz(built.bytes);
    const files = new Map((await readTarGz(code?.content ?? Buffer.alloc(0))).map((e) => [e.header.name, e.content.toString()]));
    expect(JSON.parse(files.get('META-INF/statedb/couchdb/indexes/indexOwner.json') ?? '')).toEqual(index);
    const file = path.join(work, 'tiny-indexed.tar.gz');
    await writeFile(file, built.bytes);
    expect(await peerCalculatePackageId(file)).toBe(built.packageId);

    const withoutIndexes = await productionNodePackage({ label: 'tiny_0.1.0', buildDir, sourceDir: path.join(work, 'no-such-sources'), lockfile });
    expect(withoutIndexes.codeEntries).toEqual(['src/dist/index.js', 'src/package-lock.json', 'src/package.json']);
  });

  it("ships the sources' own lockfile, checked like Run's, instead of resolving a new one", async () => {
    const sourceDir = path.join(work, 'locked-sources');
    await mkdir(sourceDir, { recursive: true });
    await writeFile(path.join(sourceDir, 'package.json'), JSON.stringify(workspaceManifest));
    const root = { name: 'tiny-cc', version: '0.1.0', dependencies: workspaceManifest.dependencies, devDependencies: workspaceManifest.devDependencies };
    const locked = (resolved: string) => ({
      name: 'tiny-cc',
      version: '0.1.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': root, 'node_modules/fabric-shim': { version: '2.5.8', resolved, integrity: 'sha512-x' } },
    });
    const own = `${JSON.stringify(locked('https://registry.npmjs.org/fabric-shim/-/fabric-shim-2.5.8.tgz'), null, 2)}\n`;
    await writeFile(path.join(sourceDir, 'package-lock.json'), own);
    // No lockfile option and an unreachable cache: resolving one would fail, so the package must use the sources' own.
    const lockfileOptions = { cacheDir: path.join(work, 'empty-cache'), registry: 'http://127.0.0.1:9/', timeoutMs: 5_000 };
    const built = await productionNodePackage({ label: 'tiny_0.1.0', buildDir, sourceDir, lockfileOptions });
    const [, code] = await readTarGz(built.bytes);
    const files = new Map((await readTarGz(code?.content ?? Buffer.alloc(0))).map((e) => [e.header.name, e.content.toString()]));
    expect(files.get('src/package-lock.json')).toBe(own);
    // npm ci wants package.json to agree with the lockfile, devDependencies included; scripts stay stripped.
    expect(JSON.parse(files.get('src/package.json') ?? '')).toMatchObject({ devDependencies: { typescript: '~5.9.3' }, scripts: { start: 'fabric-chaincode-node start' } });

    await writeFile(path.join(sourceDir, 'package-lock.json'), JSON.stringify(locked('https://evil.example/fabric-shim.tgz')));
    await expect(productionNodePackage({ label: 'tiny_0.1.0', buildDir, sourceDir, lockfileOptions })).rejects.toMatchObject({
      code: ErrorCode.Export,
      message: expect.stringContaining('only packages from the npm registry'),
    });
  });
});
