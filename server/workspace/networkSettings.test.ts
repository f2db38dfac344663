import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readNetworkSettings, readWorkspaceNetwork } from './networkSettings.ts';

const collections = [{ name: 'private', policy: "OR('Org1MSP.member')", requiredPeerCount: 0, maxPeerCount: 1, blockToLive: 0, memberOnlyRead: true }];

describe('a workspace network', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'network-settings-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const studio = (value: unknown) => fs.writeFile(path.join(dir, 'studio.json'), JSON.stringify(value));

  it("is today's sandbox with no studio.json, or one without a network", async () => {
    expect(await readWorkspaceNetwork(dir)).toEqual({ settings: { orgs: ['Org1MSP'], channel: 'studio', stateDatabase: 'leveldb' } });
    await studio({ chaincodeName: 'x' });
    expect((await readWorkspaceNetwork(dir)).settings.orgs).toEqual(['Org1MSP']);
  });

  it('reads the collections config the settings name and checks it against the orgs', async () => {
    await fs.mkdir(path.join(dir, 'config'));
    await fs.writeFile(path.join(dir, 'config', 'collections_config.json'), JSON.stringify(collections));
    await studio({ network: { collectionsConfig: 'config/collections_config.json' } });
    expect((await readWorkspaceNetwork(dir)).collections).toEqual([expect.objectContaining({ name: 'private', memberOnlyRead: true, memberOnlyWrite: false })]);
  });

  it('names the bad field, in the settings or in the collections file', async () => {
    await studio({ network: { orgs: ['Org1MSP'], endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')" } });
    await expect(readWorkspaceNetwork(dir)).rejects.toMatchObject({ code: 'bad_file', message: expect.stringMatching(/network\.endorsementPolicy: "Org2MSP" is not an org of this network/) });

    await fs.writeFile(path.join(dir, 'collections_config.json'), JSON.stringify([{ ...collections[0], maxPeerCount: -1 }]));
    await studio({ network: { collectionsConfig: 'collections_config.json' } });
    await expect(readWorkspaceNetwork(dir)).rejects.toMatchObject({ message: expect.stringMatching(/collections_config\.json\[0\]\.maxPeerCount: is -1/) });
    expect((await readNetworkSettings(dir)).issues).toEqual([{ path: 'collections_config.json[0].maxPeerCount', message: expect.any(String) }]);

    await fs.writeFile(path.join(dir, 'collections_config.json'), '[{');
    await expect(readWorkspaceNetwork(dir)).rejects.toMatchObject({ message: expect.stringMatching(/collections_config\.json: is not valid JSON/) });
  });

  it('refuses a collections config that is missing, a link, or outside the workspace', async () => {
    await studio({ network: { collectionsConfig: 'nope.json' } });
    await expect(readWorkspaceNetwork(dir)).rejects.toMatchObject({ message: expect.stringMatching(/network\.collectionsConfig: "nope\.json" does not exist in the workspace/) });

    const outside = path.join(os.tmpdir(), `outside-${process.pid}.json`);
    await fs.writeFile(outside, JSON.stringify(collections));
    try {
      await fs.symlink(outside, path.join(dir, 'linked.json'));
      await studio({ network: { collectionsConfig: 'linked.json' } });
      await expect(readWorkspaceNetwork(dir)).rejects.toMatchObject({ message: expect.stringMatching(/network\.collectionsConfig: .*symbolic link/) });
    } finally {
      await fs.rm(outside, { force: true });
    }
    await studio({ network: { collectionsConfig: '../x.json' } });
    await expect(readWorkspaceNetwork(dir)).rejects.toMatchObject({ message: expect.stringMatching(/network\.collectionsConfig: is "\.\.\/x\.json"/) });
  });
});
