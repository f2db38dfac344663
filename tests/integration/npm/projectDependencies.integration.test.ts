/**
 * Run with a workspace's npm dependencies: installed from the public npm
 * registry by the machine's real npm (which this test needs), seen by the
 * compiler, loaded by the chaincode in a real sandbox.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../../server/errors.ts';
import { createDependencyInstaller, type DependencyInstaller } from '../../../server/npm/dependencyInstaller.ts';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { createTestSandboxes, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures');
const document = JSON.stringify({ b: { d: 1, c: [{ z: 1, y: 2 }] }, a: 'x' });
const canonical = '{"a":"x","b":{"c":[{"y":2,"z":1}],"d":1}}';

let kit: TestSandboxes;
let installer: DependencyInstaller;

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-deps');
  // A cache of its own: the first Run really installs.
  installer = createDependencyInstaller({ cacheRoot: path.join(kit.dataDir, 'dependency-cache') });
});

afterAll(async () => {
  await kit.cleanup();
});

/** What a Run put beside the app for the chaincode to load. */
async function runtimePackages(session: WorkspaceSession): Promise<string[]> {
  return fs.readdir(path.join(kit.sandboxes.buildDir(session.workspace), 'node_modules'));
}

describe('Run with npm dependencies', { timeout: 600_000 }, () => {
  it('runs a TypeScript project on a tsconfig base from npm, with two packages in a transaction, unchanged', async () => {
    const session = await kit.workspace('deps-ts', path.join(fixtures, 'dependencies-ts'), { dependencies: installer });
    const started = performance.now();
    const cold = await session.run();
    const coldMs = Math.round(performance.now() - started);
    expect(cold.diagnostics).toEqual([]);
    expect(cold.ok).toBe(true);
    expect(cold.dependencies?.fromCache).toBe(false);
    expect(cold.status.chaincode).toBe('running');
    expect(await kit.call(session, 'submit', 'Put', 'doc1', document)).toBe(canonical);
    expect(await kit.call(session, 'evaluate', 'Get', 'doc1')).toBe(canonical);

    const packages = await runtimePackages(session);
    expect(packages).toEqual(expect.arrayContaining(['json-stringify-deterministic', 'sort-keys-recursive']));
    // The sandbox's Fabric packages run, not the installed ones, and the log says which version.
    expect(packages).not.toContain('fabric-contract-api');
    expect(packages).not.toContain('fabric-shim');
    const log = session.logHistory.map((line) => line.text);
    expect(log).toEqual(expect.arrayContaining([expect.stringMatching(/^fabric-contract-api 2\.5\.\d+ runs \(the sandbox's\), which matches "\^2\.5\.8"/)]));
    expect(log.some((line) => line.startsWith('Fetching '))).toBe(true);

    const again = performance.now();
    const warm = await session.run();
    const warmMs = Math.round(performance.now() - again);
    expect(warm.ok).toBe(true);
    expect(warm.dependencies?.fromCache).toBe(true);
    expect(await kit.call(session, 'evaluate', 'Get', 'doc1')).toBe(canonical);
    console.info(`Run with a cold install: ${coldMs} ms (install ${cold.timings.dependenciesMs} ms, ${cold.dependencies?.packages} packages); with cached dependencies: ${warmMs} ms (install step ${warm.timings.dependenciesMs} ms)`);
  });

  it('runs a JavaScript project that requires two packages, unchanged', async () => {
    const session = await kit.workspace('deps-js', path.join(fixtures, 'dependencies-js'), { dependencies: installer });
    const outcome = await session.run();
    expect(outcome.ok).toBe(true);
    expect(outcome.status.chaincode).toBe('running');
    expect(await kit.call(session, 'submit', 'Put', 'doc1', document)).toBe(canonical);
  });

  it('fails Run on a git dependency, naming it in the error and the status', async () => {
    const session = await kit.workspace('deps-git', path.join(fixtures, 'dependencies-js'), { dependencies: installer });
    const manifest = path.join(kit.dataDir, 'workspaces', 'deps-git', 'package.json');
    const json = JSON.parse(await fs.readFile(manifest, 'utf8')) as { dependencies: Record<string, string> };
    json.dependencies['left-pad'] = 'git+https://example.invalid/left-pad.git';
    await fs.writeFile(manifest, JSON.stringify(json));
    const err = await session.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).message).toContain('left-pad');
    expect(session.status.message).toContain('left-pad');
    // Refused before any sandbox started.
    expect(session.sandboxRunning).toBe(false);
  });
});
