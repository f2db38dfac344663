/**
 * The ledger view against a real sandbox: blocks as the peer delivers them,
 * the world state and each key's history of the chaincode's namespace, and
 * all of it rebuilt from the channel's blocks after a server restart.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplesDir } from '../../../server/config.ts';
import { ledgerBlocks, ledgerKeyHistory, ledgerTransaction, ledgerWorldState } from '../../../server/ledger/ledgerRequests.ts';
import { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { createTestSandboxes, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

let kit: TestSandboxes;
let session: WorkspaceSession;
const workspace = 'ledger-ts';

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-ledger');
  session = await kit.workspace(workspace, path.join(samplesDir, 'asset-transfer-ts'));
  expect((await session.run()).ok).toBe(true);
});

afterAll(async () => {
  await kit.cleanup();
  expect(await kit.containers()).toEqual([]);
});

const state = (s: WorkspaceSession) => ledgerWorldState(s, { workspace, offset: 0, limit: 100 });
const history = (s: WorkspaceSession, key: string) => ledgerKeyHistory(s, { workspace, key }).history;

describe('the ledger view of a sandbox', () => {
  it('shows committed blocks with their transactions, and the world state and history after create, update and delete', async () => {
    const created = await session.invoke({ workspace, mode: 'submit', contract: '', fn: 'CreateAsset', args: ['L1', 'red', '1', 'Ann', '10'] });
    await kit.call(session, 'submit', 'CreateAsset', 'L2', 'blue', '2', 'Ben', '20');
    await kit.call(session, 'submit', 'UpdateAsset', 'L1', 'green', '3', 'Ann', '30');
    const deleted = await session.invoke({ workspace, mode: 'submit', contract: '', fn: 'DeleteAsset', args: ['L2'] });

    // The block holding the delete arrives from the peer's block stream.
    await expect.poll(async () => (await ledgerBlocks(session, { workspace, limit: 1 })).blocks[0]?.number, { timeout: 10_000 }).toBe(deleted.blockNumber);
    const [newest] = (await ledgerBlocks(session, { workspace, limit: 1 })).blocks;
    expect(newest?.transactions).toEqual([expect.objectContaining({ txId: deleted.txId, type: 'endorser', chaincode: 'basic', fn: 'DeleteAsset', validationCode: 'VALID', creatorMsp: 'Org1MSP' })]);
    const detail = await ledgerTransaction(session, { workspace, txId: created.txId });
    expect(detail).toMatchObject({ blockNumber: created.blockNumber, fn: 'CreateAsset', args: ['L1', 'red', '1', 'Ann', '10'], endorsers: ['Org1MSP'] });
    expect(detail.events.map((e) => e.name)).toEqual(['AssetCreated']);
    expect(detail.readWriteSet.namespaces.find((n) => n.namespace === 'basic')?.writes.map((w) => w.key)).toEqual(['L1']);

    const world = state(session);
    expect(world.namespace).toBe('basic');
    expect(world.entries.map((e) => e.key)).toEqual(['L1']);
    expect(JSON.parse(world.entries[0]?.value.text ?? '{}')).toMatchObject({ ID: 'L1', Color: 'green', Size: 3 });
    expect(history(session, 'L1').map((h) => JSON.parse(h.value?.text ?? 'null')?.Color)).toEqual(['red', 'green']);
    expect(history(session, 'L2').map((h) => h.isDelete)).toEqual([false, true]);
    expect(history(session, 'L2').at(-1)?.txId).toBe(deleted.txId);
  });

  it('rebuilds the same view from the channel\'s blocks after a server restart', async () => {
    const before = { state: state(session), l1: history(session, 'L1'), height: (await ledgerBlocks(session, { workspace, limit: 1 })).height };
    await session.close();
    // A new server process: a new session reattaches to the running sandbox.
    const again = new WorkspaceSession({ workspace, workspaceDir: path.join(kit.dataDir, 'workspaces', workspace), sandboxes: kit.sandboxes, publish: () => undefined });
    try {
      await again.reattach();
      await expect.poll(async () => (await ledgerBlocks(again, { workspace, limit: 1 })).height, { timeout: 10_000 }).toBe(before.height);
      expect(state(again)).toEqual(before.state);
      expect(history(again, 'L1')).toEqual(before.l1);
    } finally {
      await again.close();
    }
  });
});
