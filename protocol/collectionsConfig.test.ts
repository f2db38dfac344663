import { describe, expect, it } from 'vitest';
import { checkCollectionsConfig } from './collectionsConfig.ts';

const orgs = ['Org1MSP', 'Org2MSP'];

function issuesOf(value: unknown, mspIds: readonly string[] = orgs) {
  const result = checkCollectionsConfig(value, mspIds);
  if (result.ok) throw new Error('accepted');
  return result.issues;
}

describe('collections config', () => {
  it("accepts Fabric's own sample and fills in Fabric's defaults", () => {
    const result = checkCollectionsConfig(
      [
        {
          name: 'assetCollection',
          policy: "OR('Org1MSP.member', 'Org2MSP.member')",
          requiredPeerCount: 1,
          maxPeerCount: 1,
          blockToLive: 1000000,
          memberOnlyRead: true,
          memberOnlyWrite: true,
        },
        {
          name: 'Org1MSPPrivateCollection',
          policy: "OR('Org1MSP.member')",
          requiredPeerCount: 0,
          maxPeerCount: 1,
          blockToLive: 3,
          memberOnlyRead: true,
          memberOnlyWrite: false,
          endorsementPolicy: { signaturePolicy: "OR('Org1MSP.member')" },
        },
        { name: 'minimal', policy: "OR('Org2MSP.member')", endorsementPolicy: { channelConfigPolicy: '/Channel/Application/Endorsement' } },
      ],
      orgs,
    );
    expect(result).toEqual({
      ok: true,
      collections: [
        expect.objectContaining({ name: 'assetCollection', requiredPeerCount: 1, maxPeerCount: 1, memberOnlyRead: true }),
        expect.objectContaining({ name: 'Org1MSPPrivateCollection', endorsementPolicy: { signaturePolicy: "OR('Org1MSP.member')" } }),
        {
          name: 'minimal',
          policy: "OR('Org2MSP.member')",
          requiredPeerCount: 0,
          maxPeerCount: 1,
          blockToLive: 0,
          memberOnlyRead: false,
          memberOnlyWrite: false,
          endorsementPolicy: { channelConfigPolicy: '/Channel/Application/Endorsement' },
        },
      ],
    });
  });

  it('names each bad field at its path', () => {
    const issues = issuesOf([
      {
        name: '_bad',
        policy: "AND('Org1MSP.member','Org2MSP.member')",
        requiredPeerCount: 2,
        maxPeerCount: 1,
        blockToLive: -1,
        memberOnlyRead: 'yes',
        maxPeersCount: 3,
      },
    ]);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: '[0].maxPeersCount', message: expect.stringMatching(/not a field of a Fabric collection/) },
        { path: '[0].name', message: expect.stringMatching(/not a collection name Fabric accepts/) },
        { path: '[0].policy', message: expect.stringMatching(/OR of principals/) },
        { path: '[0].maxPeerCount', message: expect.stringMatching(/less than requiredPeerCount \(2\)/) },
        { path: '[0].blockToLive', message: expect.stringMatching(/whole number/) },
        { path: '[0].memberOnlyRead', message: expect.stringMatching(/true or false/) },
      ]),
    );
    expect(issues).toHaveLength(6);
  });

  it("refuses MSP IDs outside the network, in the member policy and the collection's endorsement policy", () => {
    expect(issuesOf([{ name: 'p', policy: "OR('Org3MSP.member')", endorsementPolicy: { signaturePolicy: "AND('Org1MSP.peer','OrgXMSP.peer')" } }])).toEqual([
      { path: '[0].policy', message: expect.stringMatching(/"Org3MSP" is not an org of this network/) },
      { path: '[0].endorsementPolicy.signaturePolicy', message: expect.stringMatching(/"OrgXMSP" is not an org/) },
    ]);
  });

  it('wants exactly one kind of collection endorsement policy, naming a channel policy that exists', () => {
    const both = { signaturePolicy: "OR('Org1MSP.peer')", channelConfigPolicy: 'Endorsement' };
    expect(issuesOf([{ name: 'p', policy: "OR('Org1MSP.member')", endorsementPolicy: both }])[0]?.path).toBe('[0].endorsementPolicy');
    expect(checkCollectionsConfig([{ name: 'p', policy: "OR('Org1MSP.member')", endorsementPolicy: {} }], orgs)).toMatchObject({ ok: true, collections: [{ name: 'p' }] });
    expect(issuesOf([{ name: 'p', policy: "OR('Org1MSP.member')", endorsementPolicy: 'Endorsement' }])[0]?.path).toBe('[0].endorsementPolicy');
    expect(issuesOf([{ name: 'p', policy: "OR('Org1MSP.member')", endorsementPolicy: { signature: 'x' } }])[0]?.path).toBe('[0].endorsementPolicy.signature');
    expect(issuesOf([{ name: 'p', policy: "OR('Org1MSP.member')", endorsementPolicy: { channelConfigPolicy: '/Channel/Application/Nope' } }])[0]).toMatchObject({
      path: '[0].endorsementPolicy.channelConfigPolicy',
      message: expect.stringMatching(/\/Channel\/Application\/Endorsement/),
    });
  });

  it('refuses duplicate names, a required peer count no network here can meet, and shapes that are not a list of collections', () => {
    expect(issuesOf([{ name: 'a', policy: "OR('Org1MSP.member')" }, { name: 'a', policy: "OR('Org2MSP.member')" }])).toEqual([
      { path: '[1].name', message: expect.stringMatching(/defined twice/) },
    ]);
    expect(issuesOf([{ name: 'a', policy: "OR('Org1MSP.member')", requiredPeerCount: 2, maxPeerCount: 3 }])).toEqual([
      { path: '[0].requiredPeerCount', message: expect.stringMatching(/1 member org has one peer each here: use at most 1/) },
    ]);
    expect(issuesOf({ name: 'a' })[0]?.message).toMatch(/JSON array/);
    expect(issuesOf([])[0]?.message).toMatch(/no collections/);
    expect(issuesOf([null, 'x'])).toHaveLength(2);
    expect(issuesOf([{ policy: "OR('Org1MSP.member')" }])).toEqual([{ path: '[0].name', message: expect.stringMatching(/missing/) }]);
    expect(issuesOf([{ name: 'a' }])).toEqual([{ path: '[0].policy', message: expect.stringMatching(/missing/) }]);
  });
});
