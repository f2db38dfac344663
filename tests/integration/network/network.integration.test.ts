/**
 * A workspace's network settings on a real sandbox: bad settings refused
 * before any sandbox or Fabric call, naming the field; private data in a
 * collection written through transient data and read back; a new endorsement
 * policy approved and committed as the next sequence with the ledger kept;
 * a rich query on LevelDB failing with why and how it runs on CouchDB.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBlocks } from '../../../server/ledger/ledgerRequests.ts';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { createTestSandboxes, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

const fixtureDir = path.join(import.meta.dirname, '..', '..', 'fixtures', 'private-data-chaincode');
let kit: TestSandboxes;

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-network');
});

afterAll(async () => {
  await kit.cleanup();
  expect(await kit.containers()).toEqual([]);
});

async function writeStudio(session: WorkspaceSession, network: unknown): Promise<void> {
  await fs.writeFile(path.join(kit.dataDir, 'workspaces', session.workspace, 'studio.json'), JSON.stringify({ chaincodeName: 'notes', network }));
}

const lifecycleTxs = async (session: WorkspaceSession) =>
  (await ledgerBlocks(session, { workspace: session.workspace, limit: 100 })).blocks.flatMap((b) => b.transactions).filter((t) => t.chaincode === '_lifecycle').length;

describe('network settings on a sandbox', () => {
  it('refuses a bad policy and a bad collections config before any sandbox or Fabric call, naming the field', async () => {
    const session = await kit.workspace('bad-network', fixtureDir);
    await writeStudio(session, { endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')" });
    await expect(session.run()).rejects.toMatchObject({ code: 'bad_file', message: expect.stringMatching(/network\.endorsementPolicy: "Org2MSP" is not an org of this network/) });

    await fs.writeFile(path.join(kit.dataDir, 'workspaces', 'bad-network', 'bad_collections.json'), JSON.stringify([{ name: 'notes', policy: "OR('Org1MSP.member')", requiredPeerCount: 1, maxPeerCount: 0 }]));
    await writeStudio(session, { collectionsConfig: 'bad_collections.json' });
    await expect(session.run()).rejects.toMatchObject({ message: expect.stringMatching(/bad_collections\.json\[0\]\.maxPeerCount: is 0, less than requiredPeerCount \(1\)/) });

    await writeStudio(session, { stateDatabase: 'couchdb' });
    await expect(session.run()).rejects.toMatchObject({ message: expect.stringMatching(/network\.stateDatabase: CouchDB is not available here/) });
    expect(await kit.containers()).toEqual([]);
  });

  describe('one org with collections and a policy', () => {
    let session: WorkspaceSession;
    const workspace = 'private-notes';

    beforeAll(async () => {
      session = await kit.workspace(workspace, fixtureDir);
      await writeStudio(session, { collectionsConfig: 'collections_config.json' });
      const outcome = await session.run();
      expect(outcome.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(outcome.ok).toBe(true);
    });

    it('writes private data through transient data and reads it back as the member org', async () => {
      const put = await session.invoke({ workspace, mode: 'submit', contract: '', fn: 'PutPrivate', args: ['notes', 'n1'], transient: { note: 'for Org1 only' }, endorsingOrgs: ['Org1MSP'] });
      expect(put.validationCode).toBe('VALID');
      expect(put.endorsers).toEqual(['Org1MSP']);
      // The private value never enters the transaction: only its hash is written.
      expect(JSON.stringify(put.readWriteSet)).not.toContain('for Org1 only');
      await expect(session.invoke({ workspace, mode: 'submit', contract: '', fn: 'PutPrivate', args: ['notes', 'n2'], transient: { note: 'x' }, endorsingOrgs: ['Org2MSP'] })).rejects.toMatchObject({
        code: 'fabric',
        message: expect.stringMatching(/was not endorsed: no peer of Org2MSP serves this chaincode/),
      });
      expect(await kit.call(session, 'evaluate', 'GetPrivate', 'notes', 'n1')).toBe('for Org1 only');
      await expect(session.invoke({ workspace, mode: 'submit', contract: '', fn: 'PutPrivate', args: ['nowhere', 'n1'], transient: { note: 'x' } })).rejects.toMatchObject({
        message: expect.stringMatching(/collection/i),
      });
    });

    it('approves a new policy as the next sequence and keeps the ledger', async () => {
      await kit.call(session, 'submit', 'Put', 'k1', 'kept');
      const before = await lifecycleTxs(session);
      await writeStudio(session, { collectionsConfig: 'collections_config.json', endorsementPolicy: "OR('Org1MSP.peer')" });
      expect((await session.run()).ok).toBe(true);
      // The new definition's approval and commit are transactions of the channel.
      await expect.poll(() => lifecycleTxs(session), { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 2);
      expect(await kit.call(session, 'evaluate', 'Get', 'k1')).toBe('kept');
      expect(await kit.call(session, 'evaluate', 'GetPrivate', 'notes', 'n1')).toBe('for Org1 only');
      const after = await session.invoke({ workspace, mode: 'submit', contract: '', fn: 'Put', args: ['k2', 'after'] });
      expect(after.validationCode).toBe('VALID');
      // The same settings again: no new definition.
      const settled = await lifecycleTxs(session);
      expect((await session.run()).ok).toBe(true);
      expect(await lifecycleTxs(session)).toBe(settled);
    });

    it('fails a rich query on LevelDB saying why and how it runs on CouchDB', async () => {
      await expect(session.invoke({ workspace, mode: 'evaluate', contract: '', fn: 'FindByText', args: ['kept'] })).rejects.toMatchObject({
        message: expect.stringMatching(/ExecuteQuery not supported for leveldb.*state database is LevelDB.*CouchDB/s),
      });
    });
  });
});
