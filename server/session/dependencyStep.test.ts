import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine, Notification, SandboxStatus } from '../../protocol/messages.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { DependencyInstaller, InstalledDependencies } from '../npm/dependencyInstaller.ts';
import { sandboxRuntimeVersions } from '../npm/fabricRuntime.ts';
import { installForRun } from './dependencyStep.ts';
import { createSessionReporter, type SessionReporter } from './sessionReporter.ts';

let dir: string;
let published: Notification[];
let reporter: SessionReporter;
let installs: number;

const installed: InstalledDependencies = { nodeModulesDir: '/cache/k/node_modules', key: 'k', packages: 3, fromCache: false, durationMs: 12 };
const installer = (outcome: () => Promise<InstalledDependencies>): DependencyInstaller => ({
  install: async (_dir, request) => {
    installs += 1;
    request?.onProgress?.('Resolving 1 dependency');
    return outcome();
  },
  installed: async () => undefined,
});
const working = installer(async () => installed);

async function packageJson(manifest: unknown): Promise<void> {
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest));
}
const logText = (): string[] => reporter.logHistory.map((line: LogLine) => line.text);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ccs-dep-step-'));
  published = [];
  installs = 0;
  reporter = createSessionReporter({ workspace: 'ws', publish: (n) => published.push(n) });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the dependency step of Run', () => {
  it('installs nothing for a project that lists only what the studio brings, and says which Fabric versions run', async () => {
    const runs = await sandboxRuntimeVersions();
    await packageJson({ dependencies: { 'fabric-contract-api': `^${runs['fabric-contract-api']}`, 'fabric-shim': `^${runs['fabric-shim']}` }, devDependencies: { typescript: '^5.4.0' } });
    const result = await installForRun({ workspace: 'ws', workspaceDir: dir, installer: working, reporter });
    expect(result).toEqual({ installed: undefined, runtimeWarning: undefined });
    expect(installs).toBe(0);
    expect(logText()).toEqual([
      `fabric-contract-api ${runs['fabric-contract-api']} runs (the sandbox's), which matches "^${runs['fabric-contract-api']}" in package.json.`,
      `fabric-shim ${runs['fabric-shim']} runs (the sandbox's), which matches "^${runs['fabric-shim']}" in package.json.`,
    ]);
  });

  it('tells the user which version runs instead of one the sandbox cannot honour, in the log and as a warning for the status', async () => {
    const runs = await sandboxRuntimeVersions();
    await packageJson({ dependencies: { 'fabric-contract-api': '1.4.5', 'json-stringify-deterministic': '^1.0.12' } });
    const result = await installForRun({ workspace: 'ws', workspaceDir: dir, installer: working, reporter });
    expect(result.installed).toBe(installed);
    expect(installs).toBe(1);
    const expected = `fabric-contract-api ${runs['fabric-contract-api']} runs (the sandbox's), outside "1.4.5" that package.json asks for`;
    expect(result.runtimeWarning).toMatch(new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(logText()[0]).toBe(result.runtimeWarning);
    // fabric-shim is not listed: nothing said about it.
    expect(logText().some((line) => line.startsWith('fabric-shim'))).toBe(false);
    // The install's steps reach the log and the progress notifications.
    expect(logText()).toContain('Resolving 1 dependency');
    expect(published).toContainEqual({ method: 'sandbox/progress', params: { workspace: 'ws', step: 'dependencies', message: 'Resolving 1 dependency' } });
    expect(published).toContainEqual({ method: 'dependencies/installed', params: { workspace: 'ws', key: 'k' } });
  });

  it("puts the installer's refusal in the log and the status, and throws it", async () => {
    await packageJson({ dependencies: { 'ledger-utils': 'github:acme/ledger-utils' } });
    const refusal = new StudioError(ErrorCode.BadFile, 'The dependency "ledger-utils": "github:acme/ledger-utils" is not a registry version or range.');
    const refusing = installer(async () => {
      throw refusal;
    });
    await expect(installForRun({ workspace: 'ws', workspaceDir: dir, installer: refusing, reporter })).rejects.toBe(refusal);
    expect(logText()).toContain(`Dependencies not installed: ${refusal.message}`);
    expect((reporter.status as SandboxStatus).message).toBe(refusal.message);
  });

  it('leaves a package.json it cannot read to the compile', async () => {
    await writeFile(path.join(dir, 'package.json'), '{ not json');
    expect(await installForRun({ workspace: 'ws', workspaceDir: dir, installer: working, reporter })).toEqual({ installed: undefined, runtimeWarning: undefined });
    expect(installs).toBe(0);
  });
});
