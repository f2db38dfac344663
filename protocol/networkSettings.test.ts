import { describe, expect, it } from 'vitest';
import { NetworkSettingsParams, checkNetworkSettings, defaultNetworkSettings, networkChange, type NetworkSettings } from './networkSettings.ts';

function issuesOf(value: unknown) {
  const result = checkNetworkSettings(value);
  if (result.ok) throw new Error('accepted');
  return result.issues;
}

describe('network settings', () => {
  it("is today's sandbox when studio.json has none", () => {
    expect(checkNetworkSettings(undefined)).toEqual({ ok: true, settings: { orgs: ['Org1MSP'], channel: 'studio', stateDatabase: 'leveldb' } });
    expect(checkNetworkSettings({})).toEqual({ ok: true, settings: defaultNetworkSettings });
  });

  it('takes two or three orgs, renamed or not, a channel, a policy over them and a collections file', () => {
    expect(
      checkNetworkSettings({
        orgs: ['Org1MSP', 'Org2MSP', 'BankMSP'],
        channel: 'trade.channel-1',
        endorsementPolicy: "OutOf(2,'Org1MSP.peer','Org2MSP.peer','BankMSP.peer')",
        collectionsConfig: 'config/collections_config.json',
        stateDatabase: 'leveldb',
      }),
    ).toEqual({
      ok: true,
      settings: {
        orgs: ['Org1MSP', 'Org2MSP', 'BankMSP'],
        channel: 'trade.channel-1',
        endorsementPolicy: "OutOf(2,'Org1MSP.peer','Org2MSP.peer','BankMSP.peer')",
        collectionsConfig: 'config/collections_config.json',
        stateDatabase: 'leveldb',
      },
    });
  });

  it('names each bad field', () => {
    expect(issuesOf({ orgs: [], channel: 'My Channel', collectionsConfig: '../x.json', colour: 'red' })).toEqual([
      { path: 'network.colour', message: expect.stringMatching(/not a network setting/) },
      { path: 'network.orgs', message: expect.stringMatching(/list 1 to 3 MSP IDs/) },
      { path: 'network.channel', message: expect.stringMatching(/lowercase letters/) },
      { path: 'network.collectionsConfig', message: expect.stringMatching(/inside the workspace/) },
    ]);
    expect(issuesOf({ orgs: ['Org1MSP', 'org1msp', 'Org 3'] })).toEqual([
      { path: 'network.orgs[1]', message: expect.stringMatching(/listed twice/) },
      { path: 'network.orgs[2]', message: expect.stringMatching(/e.g. "Org3MSP"/) },
    ]);
    expect(issuesOf({ orgs: ['Org1MSP', 'OrdererMSP'] })[0]?.message).toMatch(/orderer's MSP ID/);
    expect(issuesOf({ orgs: ['Org1MSP', 'Org2MSP', 'Org3MSP', 'Org4MSP'] })[0]?.path).toBe('network.orgs');
    expect(issuesOf('two orgs')[0]).toMatchObject({ path: 'network', message: expect.stringMatching(/must be an object/) });
  });

  it('checks the endorsement policy against the orgs of the network', () => {
    expect(issuesOf({ endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')" })).toEqual([
      { path: 'network.endorsementPolicy', message: '"Org2MSP" is not an org of this network (its orgs: Org1MSP)' },
    ]);
    expect(issuesOf({ orgs: ['Org1MSP', 'Org2MSP'], endorsementPolicy: "AND('Org1MSP.peer',)" })[0]?.path).toBe('network.endorsementPolicy');
    expect(checkNetworkSettings({ orgs: ['Org1MSP', 'Org2MSP'], endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')" }).ok).toBe(true);
  });

  it('refuses CouchDB saying it is not available here and what to do', () => {
    expect(issuesOf({ stateDatabase: 'CouchDB' })).toEqual([{ path: 'network.stateDatabase', message: expect.stringMatching(/CouchDB is not available here.*Choose "leveldb"/) }]);
    expect(issuesOf({ stateDatabase: 'mongo' })[0]?.message).toMatch(/"leveldb"/);
  });

  it('gives a request the same words, at the field', () => {
    const parsed = NetworkSettingsParams.safeParse({ orgs: ['Org1MSP'], channel: 'studio', endorsementPolicy: "AND('Org9MSP.peer')", stateDatabase: 'leveldb' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['endorsementPolicy'], message: expect.stringMatching(/"Org9MSP" is not an org/) });
    expect(NetworkSettingsParams.safeParse({ orgs: ['Org1MSP', 'Org2MSP'], channel: 'studio', stateDatabase: 'leveldb' }).success).toBe(true);
  });

  it('tells a rebuild (orgs, channel) from a new definition (policy, collections), and names what a rebuild loses', () => {
    const two: NetworkSettings = { ...defaultNetworkSettings, orgs: ['Org1MSP', 'Org2MSP'] };
    expect(networkChange(defaultNetworkSettings, two)).toMatchObject({ rebuild: true, newDefinition: false, lost: [expect.stringMatching(/ledger of channel "studio"/), expect.stringMatching(/keys of Org1MSP/)] });
    expect(networkChange(two, { ...two, channel: 'other' }).rebuild).toBe(true);
    expect(networkChange(two, { ...two, endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')" })).toEqual({ rebuild: false, newDefinition: true, lost: [] });
    expect(networkChange(two, { ...two, collectionsConfig: 'c.json' }).newDefinition).toBe(true);
    expect(networkChange(two, { ...two })).toEqual({ rebuild: false, newDefinition: false, lost: [] });
  });
});
