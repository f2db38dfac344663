/**
 * Invokes kept as tests, on real sandboxes: a test file for the TypeScript
 * sample passes on a fresh ledger while the user's own sandbox and ledger stay
 * as they were; after a chaincode change that breaks an expectation it fails
 * with a diff; the CLI exits 0 and 1 for the same two cases and leaves no
 * container behind.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeTestFile } from '../../../protocol/invokeTests.ts';
import { samplesDir } from '../../../server/config.ts';
import { runWorkspaceTests } from '../../../server/testing/testRunner.ts';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { createTestSandboxes, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const workspace = 'inv-tests';
let kit: TestSandboxes;
let session: WorkspaceSession;
let workspaceDir: string;

const asset1 = '{"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":5}';
const testFile: InvokeTestFile = {
  description: 'The asset-transfer sample from an empty ledger',
  invokes: [
    { mode: 'submit', contract: '', fn: 'InitLedger', args: [], expect: { result: '', validationCode: 'VALID', events: [], writes: { written: ['asset1', 'asset2', 'asset3', 'asset4', 'asset5'], deleted: [] } } },
    { mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['asset1'], expect: { result: asset1, resultIncludes: { Owner: 'Tomoko' } } },
    // The user's own asset is not on the test ledger: the run starts from nothing.
    { mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['mine'], expect: { error: '/asset mine does not exist/' } },
    { mode: 'submit', contract: '', fn: 'CreateAsset', args: ['asset9', 'red', '3', 'Ann', '90'], expect: { validationCode: 'VALID', events: [{ name: 'AssetCreated', payloadIncludes: { ID: 'asset9', Owner: 'Ann' } }], writes: { written: ['asset9'], deleted: [] } } },
    { mode: 'submit', contract: '', fn: 'CreateAsset', args: ['asset9', 'red', '3', 'Ann', '90'], expect: { error: 'already exists' } },
    { name: 'transfer returns the old owner', mode: 'submit', contract: '', fn: 'TransferAsset', args: ['asset1', 'Bob'], expect: { result: 'Tomoko', events: [{ name: 'AssetTransferred', payloadIncludes: { Owner: 'Bob' } }] } },
    { mode: 'submit', contract: '', fn: 'DeleteAsset', args: ['asset2'], expect: { writes: { written: [], deleted: ['asset2'] } } },
  ],
};

function cli(dir: string, instance: string, ...extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return cliWith(dir, instance, extra, () => undefined);
}

/** Runs the CLI; `onStderr` sees its progress as it comes and may interrupt it. */
function cliWith(dir: string, instance: string, extra: string[], onStderr: (text: string, interrupt: () => void) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'chaincode-studio.mjs'), 'test', dir, ...extra], { env: { ...process.env, STUDIO_INSTANCE: instance }, cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr(stderr, () => child.kill('SIGINT'));
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function containersOf(instance: string): Promise<string[]> {
  const list = await kit.docker.listContainers({ all: true, filters: { name: [`${instance}-`] } });
  return list.flatMap((c) => c.Names);
}

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-invtests');
  session = await kit.workspace(workspace, path.join(samplesDir, 'asset-transfer-ts'));
  workspaceDir = path.join(kit.dataDir, 'workspaces', workspace);
  expect((await session.run()).ok).toBe(true);
  await kit.call(session, 'submit', 'CreateAsset', 'mine', 'gold', '1', 'Me', '1');
  await fs.mkdir(path.join(workspaceDir, 'tests'));
  await fs.writeFile(path.join(workspaceDir, 'tests', 'assets.invokes.json'), JSON.stringify(testFile, null, 2));
});

afterAll(async () => {
  await kit.cleanup();
  expect(await kit.containers()).toEqual([]);
});

describe('invoke tests', () => {
  it('pass on a fresh ledger of their own, leaving the user sandbox and ledger as they were', async () => {
    const steps: string[] = [];
    const run = await runWorkspaceTests({ workspace, workspaceDir, sandboxes: kit.sandboxes, progress: (step) => steps.push(step) });
    expect(run.files.map((f) => [f.file, f.error, f.invokes.filter((c) => !c.passed).map((c) => c.diff)])).toEqual([['tests/assets.invokes.json', undefined, []]]);
    expect(run).toMatchObject({ passed: true, counts: { passed: 7, failed: 0, files: 1 } });
    expect(steps).toContain('tests:cleanup');
    // The test sandbox is gone; the user's still answers from its own ledger.
    expect((await kit.containers()).filter((n) => n.includes('--test'))).toEqual([]);
    expect(await kit.call(session, 'evaluate', 'ReadAsset', 'mine')).toContain('"Owner":"Me"');
    expect(await kit.call(session, 'evaluate', 'AssetExists', 'asset9')).toBe('false');
  });

  it('fail with a diff after a chaincode change breaks an expectation', async () => {
    const source = path.join(workspaceDir, 'src', 'assetTransferContract.ts');
    const original = await fs.readFile(source, 'utf8');
    await fs.writeFile(source, original.replace('return oldOwner;', 'return newOwner;'));
    try {
      const run = await runWorkspaceTests({ workspace, workspaceDir, sandboxes: kit.sandboxes });
      expect(run).toMatchObject({ passed: false, counts: { passed: 6, failed: 1 } });
      const failed = run.files[0]?.invokes.find((c) => !c.passed);
      expect(failed).toMatchObject({ index: 5, name: 'transfer returns the old owner', diff: ['result:\n  expected: "Tomoko"\n  actual:   "Bob"'] });

      const instance = `${kit.instance}c`;
      const junit = path.join(kit.dataDir, 'junit.xml');
      const failing = await cli(workspaceDir, instance, '--junit', junit);
      expect(failing.code, failing.stderr).toBe(1);
      expect(failing.stdout).toContain('actual:   "Bob"');
      expect(failing.stdout.trim().split('\n').at(-1)).toMatch(/^FAILED: 6 invokes passed, 1 failed, in 1 files/);
      expect(await fs.readFile(junit, 'utf8')).toContain('<failure message="result:">');
      expect(await containersOf(instance)).toEqual([]);

      await fs.writeFile(source, original);
      const passing = await cli(workspaceDir, instance);
      expect(passing.code, passing.stdout + passing.stderr).toBe(0);
      expect(passing.stdout.trim().split('\n').at(-1)).toMatch(/^PASSED: 7 invokes passed, 0 failed, in 1 files/);
      expect(await containersOf(instance)).toEqual([]);
    } finally {
      await fs.writeFile(source, original);
    }
  });

  it('the CLI removes its sandbox when interrupted with Ctrl+C', async () => {
    const instance = `${kit.instance}i`;
    let sent = false;
    const interrupted = await cliWith(workspaceDir, instance, [], (text, interrupt) => {
      // Once the sandbox runs and the replay has begun.
      if (!sent && text.includes('Replaying tests/')) {
        sent = true;
        interrupt();
      }
    });
    expect(sent).toBe(true);
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain('SIGINT: removing the test sandbox');
    expect(await containersOf(instance)).toEqual([]);
  });
});
