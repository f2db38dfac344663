/**
 * Bring your own chaincode project: a project laid out as published ones are
 * (package.json with scripts, a package-lock.json, a tsconfig on a base from
 * npm, several source files; modelled on fabric-samples' asset-transfer-basic)
 * uploaded as an archive through `workspace/import`, its dependencies
 * installed from the npm registry by the machine's real npm (which this test
 * needs), run unchanged on a real sandbox. And the ways its dependencies are
 * refused or cannot be had: a git dependency, and a registry nobody answers.
 */
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestParams } from '../../../protocol/messages.ts';
import { samplesDir } from '../../../server/config.ts';
import { ErrorCode, StudioError } from '../../../server/errors.ts';
import { createDependencyInstaller, type DependencyInstaller } from '../../../server/npm/dependencyInstaller.ts';
import { importWorkspace } from '../../../server/workspace/importArchive.ts';
import { createWorkspaceStore, type WorkspaceStore } from '../../../server/workspace/workspaceStore.ts';
import { filesUnder, projectArchive } from '../../kit/projectArchive.ts';
import { createTestSandboxes, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures');
/** What a user's checkout holds besides the project: the import leaves these out. */
const checkoutLeftovers = {
  'node_modules/json-stringify-deterministic/package.json': '{"name":"json-stringify-deterministic","version":"0.0.1"}',
  'dist/index.js': 'throw new Error("a stale build must not run");\n',
};
/** The asset both projects write, as deterministic JSON (keys sorted). */
const asset = '{"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":5}';

let kit: TestSandboxes;
let store: WorkspaceStore;
let installer: DependencyInstaller;

/** Imports `fixture` as an archive of `kind`, as the browser uploads it; returns what the import reported. */
async function importFixture(name: string, fixture: string, kind: 'zip' | 'tar.gz', patch: (files: Record<string, Buffer>) => void = () => undefined) {
  const files = await filesUnder(path.join(fixtures, fixture));
  patch(files);
  const archive = await projectArchive({ ...files, ...checkoutLeftovers }, kind, 'asset-transfer-basic-main');
  // As the server's dispatcher does before the workspace/import handler runs.
  return importWorkspace(store, requestParams['workspace/import'].parse({ name, archive }));
}

/** A loopback port nothing listens on: a registry that refuses every connection. */
async function unusedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function runError(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => undefined,
    (err: unknown) => err,
  );
}

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-import');
  store = createWorkspaceStore({ dataDir: kit.dataDir, samplesDir });
  // A cache of its own: the first Run really installs.
  installer = createDependencyInstaller({ cacheRoot: path.join(kit.dataDir, 'dependency-cache') });
});

afterAll(async () => {
  await kit.cleanup();
});

describe('an imported project with npm dependencies', { timeout: 600_000 }, () => {
  it('runs a TypeScript project uploaded as a .tar.gz, on a tsconfig base from npm, and answers unchanged', async () => {
    const imported = await importFixture('imported-ts', 'imported-ts', 'tar.gz');
    expect(imported.skipped).toEqual(
      expect.arrayContaining([
        { path: 'node_modules/', reason: 'dependencies', files: 1 },
        { path: 'dist/', reason: 'build-output', files: 1 },
      ]),
    );
    expect((await store.listFiles('imported-ts')).map((f) => f.path)).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'src/index.ts', 'src/assetTransfer.ts', 'src/asset.ts', 'src/canonical.ts']),
    );

    const session = kit.attach('imported-ts', { dependencies: installer });
    const outcome = await session.run();
    expect(outcome.diagnostics).toEqual([]);
    expect(outcome.ok).toBe(true);
    expect(outcome.dependencies?.fromCache).toBe(false);
    expect(outcome.status.chaincode).toBe('running');
    expect(outcome.metadata?.contracts.map((c) => c.name)).toContain('AssetTransferContract');

    expect(await kit.call(session, 'submit', 'CreateAsset', 'asset1', 'blue', '5', 'Tomoko', '300')).toBe(asset);
    expect(await kit.call(session, 'evaluate', 'ReadAsset', 'asset1')).toBe(asset);
    expect(await kit.call(session, 'submit', 'TransferAsset', 'asset1', 'Max')).toBe('Tomoko');
    expect(JSON.parse(await kit.call(session, 'evaluate', 'ReadAsset', 'asset1'))).toMatchObject({ Owner: 'Max' });

    const log = session.logHistory.map((line) => line.text);
    // Installed as locked, and the user is told which Fabric packages run.
    expect(log).toContain('Installing 6 dependencies as locked in package-lock.json');
    expect(log).toEqual(expect.arrayContaining([expect.stringMatching(/^fabric-contract-api 2\.5\.\d+ runs \(the sandbox's\), which matches "~2\.5\.8"/)]));
    await session.destroy();
  });

  it('runs a JavaScript project uploaded as a .zip, and answers unchanged', async () => {
    await importFixture('imported-js', 'imported-js', 'zip');
    const session = kit.attach('imported-js', { dependencies: installer });
    const outcome = await session.run();
    expect(outcome.diagnostics).toEqual([]);
    expect(outcome.ok).toBe(true);
    expect(outcome.status.chaincode).toBe('running');
    expect(await kit.call(session, 'submit', 'CreateAsset', 'asset1', 'blue', '5', 'Tomoko', '300')).toBe(asset);
    expect(await kit.call(session, 'submit', 'TransferAsset', 'asset1', 'Max')).toBe('Tomoko');
    await session.destroy();
  });

  it('imports a project with a git dependency, and Run refuses it naming the dependency', async () => {
    await importFixture('imported-git', 'imported-js', 'tar.gz', (files) => {
      const manifest = JSON.parse(String(files['package.json'])) as { dependencies: Record<string, string> };
      manifest.dependencies['ledger-utils'] = 'git+ssh://git@example.invalid/acme/ledger-utils.git#v1.2.0';
      files['package.json'] = Buffer.from(JSON.stringify(manifest, null, 2));
    });
    const session = kit.attach('imported-git', { dependencies: installer });
    const err = await runError(session.run());
    expect(err).toBeInstanceOf(StudioError);
    expect(err).toMatchObject({ code: ErrorCode.BadFile });
    expect((err as Error).message).toMatch(/"ledger-utils"/);
    expect((err as Error).message).toMatch(/registry/);
    expect(session.status.message).toContain('ledger-utils');
    expect(session.logHistory.map((line) => line.text)).toEqual(expect.arrayContaining([expect.stringContaining('ledger-utils')]));
    // Refused before any sandbox started.
    expect(session.sandboxRunning).toBe(false);
  });

  it('says which package it could not fetch when no registry answers', async () => {
    await importFixture('imported-offline', 'imported-ts', 'zip');
    const offline = `http://127.0.0.1:${await unusedLoopbackPort()}/`;
    const unreachable = createDependencyInstaller({ cacheRoot: path.join(kit.dataDir, 'offline-cache'), registryUrl: offline });
    const session = kit.attach('imported-offline', { dependencies: unreachable });
    const err = await runError(session.run());
    expect(err).toBeInstanceOf(StudioError);
    const message = (err as Error).message;
    console.info(`Run with no registry: ${message}`);
    const named = /^Could not fetch `([^`]+)` from the npm registry (\S+) \(ECONNREFUSED\)/.exec(message);
    expect(named, message).not.toBeNull();
    expect(named?.[2]).toBe(offline);
    const lock = JSON.parse(await fs.readFile(path.join(kit.dataDir, 'workspaces', 'imported-offline', 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages)).toContain(`node_modules/${named?.[1] ?? ''}`);
    expect(session.status.message).toBe(message);
    expect(session.sandboxRunning).toBe(false);
  });
});
