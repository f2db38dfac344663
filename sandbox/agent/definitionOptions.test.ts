import { describe, expect, it } from 'vitest';
import { definitionShape } from './definitionOptions.mjs';

const collection = { name: 'notes', policy: "OR('Org1MSP.member')", requiredPeerCount: 0, maxPeerCount: 1, blockToLive: 0, memberOnlyRead: true, memberOnlyWrite: false };

describe('the definition shape the agent approves', () => {
  it('is the channel default with nothing asked', () => {
    expect(definitionShape(undefined)).toEqual({});
    expect(definitionShape({})).toEqual({});
  });

  it("writes Fabric's collections_config.json with the known fields only, and fingerprints it", () => {
    const shape = definitionShape({ endorsementPolicy: "OR('Org1MSP.peer')", collections: [{ ...collection, extra: 'dropped', endorsementPolicy: { signaturePolicy: "OR('Org1MSP.peer')" } }] });
    expect(shape.endorsementPolicy).toBe("OR('Org1MSP.peer')");
    expect(JSON.parse(shape.collectionsJson ?? '')).toEqual([{ ...collection, endorsementPolicy: { signaturePolicy: "OR('Org1MSP.peer')" } }]);
    expect(shape.collectionsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(definitionShape({ collections: [collection] }).collectionsSha256).not.toBe(shape.collectionsSha256);
  });

  it('refuses shapes the server would never send', () => {
    expect(() => definitionShape({ endorsementPolicy: 3 })).toThrow(/definition.endorsementPolicy/);
    expect(() => definitionShape({ collections: [] })).toThrow(/1-64 collections/);
    expect(() => definitionShape({ collections: [{ ...collection, name: '_x' }] })).toThrow(/not a collection name/);
    expect(() => definitionShape({ collections: [{ ...collection, maxPeerCount: -1 }] })).toThrow(/maxPeerCount/);
    expect(() => definitionShape({ collections: [{ ...collection, memberOnlyRead: 'yes' }] })).toThrow(/memberOnlyRead/);
  });
});
