/**
 * A workspace whose network has two orgs, on a real sandbox: one container
 * with a peer and a chaincode process per org. A submit endorsed by both orgs
 * under AND('Org1MSP.peer','Org2MSP.peer') commits VALID; the client identity
 * of either org submits; state-based endorsement moves an asset to Org2, and
 * then only Org2's endorsement can change it; private data written through
 * transient data reads back as the member org and not as the other; a new
 * policy is approved by both orgs as the next sequence with the ledger kept;
 * a third org rebuilds the network.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeResult, ParamsOf } from '../../../protocol/messages.ts';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { createTestSandboxes, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

const fixtureDir = path.join(import.meta.dirname, '..', '..', 'fixtures', 'owned-assets-chaincode');
const workspace = 'two-orgs';
const both = "AND('Org1MSP.peer','Org2MSP.peer')";
let kit: TestSandboxes;
let session: WorkspaceSession;

async function writeStudio(network: unknown): Promise<void> {
  await fs.writeFile(path.join(kit.dataDir, 'workspaces', workspace, 'studio.json'), JSON.stringify({ chaincodeName: 'assets', network }));
}

function invoke(mode: 'submit' | 'evaluate', fn: string, args: string[], more: Partial<ParamsOf<'invoke'>> = {}): Promise<InvokeResult> {
  return session.invoke({ workspace, mode, contract: '', fn, args, ...more });
}

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-orgs');
  session = await kit.workspace(workspace, fixtureDir);
  await writeStudio({ orgs: ['Org1MSP', 'Org2MSP'], endorsementPolicy: both, collectionsConfig: 'collections_config.json' });
  const outcome = await session.run();
  expect(outcome.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(outcome.ok).toBe(true);
});

afterAll(async () => {
  await kit.cleanup();
  expect(await kit.containers()).toEqual([]);
});

describe('a two-org sandbox', () => {
  it('commits a submit endorsed by both orgs, as either org', async () => {
    const created = await invoke('submit', 'Create', ['a0', 'first']);
    expect(created.validationCode).toBe('VALID');
    expect([...(created.endorsers ?? [])].sort()).toEqual(['Org1MSP', 'Org2MSP']);
    expect(created.result).toBe('Org1MSP');

    const asOrg2 = await invoke('submit', 'WhoAmI', [], { asOrg: 'Org2MSP' });
    expect(asOrg2.validationCode).toBe('VALID');
    expect(asOrg2.result).toBe('Org2MSP');
    expect([...(asOrg2.endorsers ?? [])].sort()).toEqual(['Org1MSP', 'Org2MSP']);
    // The studio's evaluate endorses as the policy asks (to show what a submit would write): naming one org runs it on that org's peer alone.
    expect((await invoke('evaluate', 'PeerOrg', [], { asOrg: 'Org2MSP', endorsingOrgs: ['Org2MSP'] })).result).toBe('Org2MSP');
    expect((await invoke('evaluate', 'PeerOrg', [], { endorsingOrgs: ['Org1MSP'] })).result).toBe('Org1MSP');
    await expect(invoke('evaluate', 'WhoAmI', [], { asOrg: 'Org3MSP' })).rejects.toMatchObject({ message: expect.stringMatching(/Org3MSP is not an org of this sandbox's network \(Org1MSP, Org2MSP\)/) });
  });

  it('keeps the log lines of each org apart', () => {
    const lines = session.logHistory;
    expect(lines.some((l) => l.source === 'peer' && l.org === 'Org1MSP')).toBe(true);
    expect(lines.some((l) => l.source === 'peer' && l.org === 'Org2MSP')).toBe(true);
  });

  it('lets only Org2 change an asset moved to Org2 (state-based endorsement)', async () => {
    expect((await invoke('submit', 'Create', ['a1', 'v1'])).validationCode).toBe('VALID');
    expect((await invoke('submit', 'Transfer', ['a1', 'Org2MSP'])).validationCode).toBe('VALID');
    const byOrg1 = await invoke('submit', 'Update', ['a1', 'by Org1'], { endorsingOrgs: ['Org1MSP'] });
    expect(byOrg1.validationCode).toBe('ENDORSEMENT_POLICY_FAILURE');
    const byOrg2 = await invoke('submit', 'Update', ['a1', 'by Org2'], { asOrg: 'Org2MSP', endorsingOrgs: ['Org2MSP'] });
    expect(byOrg2.validationCode).toBe('VALID');
    expect(byOrg2.endorsers).toEqual(['Org2MSP']);
    expect(JSON.parse((await invoke('evaluate', 'Read', ['a1'])).result)).toEqual({ value: 'by Org2', owner: 'Org2MSP' });
  });

  it('writes private data through transient data; the member org reads it back, the other cannot', async () => {
    const put = await invoke('submit', 'PutPrivate', ['org1Only', 'p1'], { transient: { value: 'for Org1 only' }, endorsingOrgs: ['Org1MSP'] });
    expect(put.validationCode).toBe('VALID');
    expect(JSON.stringify(put.readWriteSet)).not.toContain('for Org1 only');
    // Named as a Fabric client must: with the chaincode's AND policy, no plan of both orgs' peers serves a collection of one.
    expect((await invoke('evaluate', 'GetPrivate', ['org1Only', 'p1'], { asOrg: 'Org1MSP', endorsingOrgs: ['Org1MSP'] })).result).toBe('for Org1 only');
    await expect(invoke('evaluate', 'GetPrivate', ['org1Only', 'p1'], { asOrg: 'Org2MSP', endorsingOrgs: ['Org2MSP'] })).rejects.toMatchObject({ message: expect.stringMatching(/does not have read access|no private value/) });

    // A collection of both orgs: written on both peers, read back by Org2.
    const shared = await invoke('submit', 'PutPrivate', ['shared', 's1'], { transient: { value: 'for both' }, endorsingOrgs: ['Org1MSP', 'Org2MSP'] });
    expect(shared.validationCode).toBe('VALID');
    await expect.poll(() => invoke('evaluate', 'GetPrivate', ['shared', 's1'], { asOrg: 'Org2MSP', endorsingOrgs: ['Org2MSP'] }).then((r) => r.result, String), { timeout: 10_000 }).toBe('for both');
  });

  it('approves a new policy by both orgs as the next sequence, keeping the ledger', async () => {
    await writeStudio({ orgs: ['Org1MSP', 'Org2MSP'], endorsementPolicy: "OR('Org1MSP.peer','Org2MSP.peer')", collectionsConfig: 'collections_config.json' });
    expect((await session.run()).ok).toBe(true);
    expect(JSON.parse((await invoke('evaluate', 'Read', ['a0'])).result)).toEqual({ value: 'first', owner: 'Org1MSP' });
    // A new key has no key-level policy: one org's endorsement is enough now.
    const single = await invoke('submit', 'Create', ['a2', 'v2'], { asOrg: 'Org2MSP', endorsingOrgs: ['Org2MSP'] });
    expect(single.validationCode).toBe('VALID');
    expect(single.endorsers).toEqual(['Org2MSP']);
  });

  it("pauses at a breakpoint in the process of the org whose peer runs the transaction, naming that peer", async () => {
    const source = 'index.js';
    const line = (await fs.readFile(path.join(fixtureDir, source), 'utf8')).split('\n').findIndex((l) => l.includes('return ctx.stub.getMspID();')) + 1;
    // As the IDE sets them: on every org's process.
    await session.chaincodeDebugger.setBreakpoints(source, [{ line }]);
    try {
      for (const org of ['Org2MSP', 'Org1MSP']) {
        const pending = invoke('evaluate', 'PeerOrg', [], { asOrg: org, endorsingOrgs: [org] });
        const peer = `peer0.${org.replace('MSP', '').toLowerCase()}.example.com (${org})`;
        await expect.poll(async () => (await session.chaincodeDebugger.state()).paused?.peer, { timeout: 15_000 }).toBe(peer);
        expect((await session.debugger().stackTrace()).stackFrames[0]?.line).toBe(line);
        await session.debugger().continue();
        expect((await pending).result).toBe(org);
      }
    } finally {
      await session.chaincodeDebugger.setBreakpoints(source, []);
    }
  });

  it('rebuilds as three orgs when the org count changes (the ledger starts anew), and OutOf(2, …) takes any two', async () => {
    await writeStudio({ orgs: ['Org1MSP', 'Org2MSP', 'Org3MSP'], endorsementPolicy: "OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')" });
    expect((await session.run()).ok).toBe(true);
    await expect(invoke('evaluate', 'Read', ['a0'])).rejects.toMatchObject({ message: expect.stringMatching(/no asset a0/) });
    const byTwo = await invoke('submit', 'Create', ['b1', 'v'], { asOrg: 'Org3MSP', endorsingOrgs: ['Org2MSP', 'Org3MSP'] });
    expect(byTwo.validationCode).toBe('VALID');
    expect([...(byTwo.endorsers ?? [])].sort()).toEqual(['Org2MSP', 'Org3MSP']);
    expect(byTwo.result).toBe('Org3MSP');
  });
});
