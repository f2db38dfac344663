/**
 * Go chaincode on a real sandbox: the Go sample built on the host, run as the
 * dev-mode chaincode, answering through the peer; its event, its errors, a
 * compile error with file and line, and an edit that restarts it with no new
 * chaincode definition.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplesDir } from '../../../server/config.ts';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { createTestSandboxes, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

let kit: TestSandboxes;
let session: WorkspaceSession;
let workspaceDir: string;
let firstRun: Awaited<ReturnType<WorkspaceSession['run']>>;
const ws = 'gosample';

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-go');
  session = await kit.workspace(ws, path.join(samplesDir, 'asset-transfer-go'));
  workspaceDir = path.join(kit.dataDir, 'workspaces', ws);
  const started = performance.now();
  firstRun = await session.run();
  console.info(`Go sample: first Run took ${Math.round(performance.now() - started)} ms`);
  expect(firstRun.ok).toBe(true);
}, 600_000);

afterAll(async () => {
  await kit.cleanup();
});

const invoke = (mode: 'submit' | 'evaluate', fn: string, args: string[]) => session.invoke({ workspace: ws, mode, contract: '', fn, args });

describe('the Go sample', () => {
  it("serves its contract's metadata, parameters named as in the Go source", () => {
    expect(session.status).toMatchObject({ chaincode: 'running' });
    const transactions = firstRun.metadata?.contracts.flatMap((c) => c.transactions) ?? [];
    expect(transactions.map((t) => t.name)).toEqual(expect.arrayContaining(['CreateAsset', 'ReadAsset', 'UpdateAsset', 'DeleteAsset', 'TransferAsset', 'GetAllAssets', 'InitLedger']));
    expect(transactions.find((t) => t.name === 'CreateAsset')?.params.map((p) => p.name)).toEqual(['id', 'color', 'size', 'owner', 'appraisedValue']);
    expect(transactions.find((t) => t.name === 'TransferAsset')?.params.map((p) => p.name)).toEqual(['id', 'newOwner']);
  });

  it('creates, reads and transfers an asset, with the event the contract emits', async () => {
    const created = await invoke('submit', 'CreateAsset', ['go1', 'blue', '5', 'Ann', '100']);
    expect(created.validationCode).toBe('VALID');
    expect(created.events.map((e) => e.name)).toEqual(['AssetCreated']);
    expect(JSON.parse(created.events[0]?.payload ?? '{}')).toMatchObject({ ID: 'go1', Owner: 'Ann', Size: 5 });
    const read = await invoke('evaluate', 'ReadAsset', ['go1']);
    expect(JSON.parse(read.result)).toEqual({ ID: 'go1', Color: 'blue', Size: 5, Owner: 'Ann', AppraisedValue: 100 });
    const transferred = await invoke('submit', 'TransferAsset', ['go1', 'Bob']);
    expect(transferred).toMatchObject({ validationCode: 'VALID', result: 'Ann' });
    expect((await invoke('evaluate', 'ReadAsset', ['go1'])).result).toContain('"Owner":"Bob"');
  });

  it("returns the chaincode's own error message", async () => {
    await expect(invoke('evaluate', 'ReadAsset', ['nope'])).rejects.toMatchObject({ code: 'chaincode', message: expect.stringContaining('the asset nope does not exist') });
  });

  it('reports a compile error with its file and line and keeps the running build', async () => {
    const file = path.join(workspaceDir, 'contract.go');
    const source = await fs.readFile(file, 'utf8');
    const line = source.split('\n').findIndex((l) => l.includes('oldOwner := asset.Owner')) + 1;
    await fs.writeFile(file, source.replace('oldOwner := asset.Owner', 'oldOwner := asset.Ownerr'));
    try {
      const run = await session.run().catch((err: unknown) => err);
      expect(run).toMatchObject({ ok: false });
      expect((run as { diagnostics: unknown[] }).diagnostics).toContainEqual(expect.objectContaining({ file: 'contract.go', line, severity: 'error', message: expect.stringContaining('Ownerr') }));
      expect(session.status).toMatchObject({ chaincode: 'running', previousBuild: expect.any(String) });
    } finally {
      await fs.writeFile(file, source);
    }
  }, 300_000);

  it('restarts with an edit, and the new code answers under the same definition', async () => {
    const handle = await kit.sandboxes.find(ws);
    if (!handle) throw new Error('the sandbox is gone');
    const before = (await handle.agent.status()).chaincode.packageId;
    const file = path.join(workspaceDir, 'contract.go');
    const source = await fs.readFile(file, 'utf8');
    const edited = source.replace('return nil, fmt.Errorf("the asset %s does not exist", id)', 'return nil, fmt.Errorf("no asset is stored under %s", id)');
    expect(edited).not.toBe(source);
    await fs.writeFile(file, edited);
    const started = performance.now();
    expect((await session.run()).ok).toBe(true);
    console.info(`Go sample: Run after a one-line edit took ${Math.round(performance.now() - started)} ms`);
    await expect(invoke('evaluate', 'ReadAsset', ['nope'])).rejects.toMatchObject({ message: expect.stringContaining('no asset is stored under nope') });
    expect((await handle.agent.status()).chaincode.packageId).toBe(before);
  }, 300_000);
});
