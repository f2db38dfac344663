import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultNetworkSettings } from '../../protocol/networkSettings.ts';
import { definitionOptionsOf, isOneOrgSandbox, networkForRun, networkShapeOf } from './networkStep.ts';

describe("Run's network check", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'network-step-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("lets today's one-org network through", async () => {
    expect(isOneOrgSandbox(networkShapeOf(defaultNetworkSettings))).toBe(true);
    expect((await networkForRun(dir)).settings).toEqual(defaultNetworkSettings);
  });

  it('refuses a bad field as bad_file, naming it, and takes several orgs and another channel as the shape to build', async () => {
    await fs.writeFile(path.join(dir, 'studio.json'), JSON.stringify({ network: { stateDatabase: 'couchdb' } }));
    await expect(networkForRun(dir)).rejects.toMatchObject({ code: 'bad_file', message: expect.stringMatching(/network\.stateDatabase: CouchDB is not available here/) });
    await fs.writeFile(path.join(dir, 'studio.json'), JSON.stringify({ network: { orgs: ['Org1MSP', 'Org2MSP'], channel: 'trade' } }));
    const shape = networkShapeOf((await networkForRun(dir)).settings);
    expect(shape).toEqual({ orgs: ['Org1MSP', 'Org2MSP'], channel: 'trade' });
    expect(isOneOrgSandbox(shape)).toBe(false);
    expect(isOneOrgSandbox({ orgs: ['Org1MSP'], channel: 'trade' })).toBe(false);
  });

  it('hands the policy and the checked collections to the definition', async () => {
    await fs.writeFile(path.join(dir, 'c.json'), JSON.stringify([{ name: 'secret', policy: "OR('Org1MSP.member')" }]));
    await fs.writeFile(path.join(dir, 'studio.json'), JSON.stringify({ network: { endorsementPolicy: "OR('Org1MSP.peer')", collectionsConfig: 'c.json' } }));
    expect(definitionOptionsOf(await networkForRun(dir))).toEqual({
      endorsementPolicy: "OR('Org1MSP.peer')",
      collections: [{ name: 'secret', policy: "OR('Org1MSP.member')", requiredPeerCount: 0, maxPeerCount: 1, blockToLive: 0, memberOnlyRead: false, memberOnlyWrite: false }],
    });
    await fs.mkdir(path.join(dir, 'plain'));
    expect(definitionOptionsOf(await networkForRun(path.join(dir, 'plain')))).toEqual({});
  });
});
