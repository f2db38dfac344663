import { describe, expect, it } from 'vitest';
import { configtxYaml, cryptoConfigYaml, defaultShape, isDefaultShape, nodesOf, requestedShape, sameShape } from './networkShape.mjs';

describe("the sandbox network's shape", () => {
  it('is the one-org sandbox by default, and takes 1-3 distinct MSP IDs and a channel name', () => {
    expect(isDefaultShape(defaultShape)).toBe(true);
    const two = requestedShape({ orgs: ['Org1MSP', 'Org2MSP'], channel: 'studio' });
    expect(isDefaultShape(two)).toBe(false);
    expect(sameShape(two, { orgs: ['Org1MSP', 'Org2MSP'], channel: 'studio' })).toBe(true);
    expect(sameShape(two, { orgs: ['Org2MSP', 'Org1MSP'], channel: 'studio' })).toBe(false);
    expect(() => requestedShape({ orgs: ['A', 'B', 'C', 'D'], channel: 'studio' })).toThrow(/1-3 MSP IDs/);
    expect(() => requestedShape({ orgs: ['Org1MSP', 'Org1MSP'], channel: 'studio' })).toThrow(/listed twice/);
    expect(() => requestedShape({ orgs: ["Org1MSP'"], channel: 'studio' })).toThrow(/not an MSP ID/);
    expect(() => requestedShape({ orgs: ['Org1MSP'], channel: 'Bad Channel' })).toThrow(/not a channel name/);
  });

  it("gives each org its own peer ports, inspector, ledger dir and keys, the first org's as the one-org sandbox's", () => {
    const [first, second, third] = nodesOf({ orgs: ['Org1MSP', 'Org2MSP', 'Org3MSP'], channel: 'studio' });
    expect(first).toMatchObject({ mspId: 'Org1MSP', peerPort: 7051, chaincodePort: 7052, inspectorPort: 9229, peerHostname: 'peer0.org1.example.com' });
    expect(second).toMatchObject({ mspId: 'Org2MSP', peerPort: 8051, chaincodePort: 8052, inspectorPort: 9230, operationsPort: 9444 });
    expect(third).toMatchObject({ peerPort: 9051, chaincodePort: 9052, inspectorPort: 9231, operationsPort: 9445 });
    expect(new Set([first?.peerData, second?.peerData, third?.peerData]).size).toBe(3);
    expect(second?.userMsp).toMatch(/peerOrganizations\/org2\.example\.com\/users\/User1@org2\.example\.com\/msp$/);
  });

  it('writes configtx.yaml with every org in the consortium and the channel, each with its anchor peer', () => {
    const nodes = nodesOf({ orgs: ['Org1MSP', 'Buyer'], channel: 'trade' });
    const configtx = configtxYaml(nodes);
    expect(configtx).toContain("Rule: \"OR('Buyer.admin', 'Buyer.peer', 'Buyer.client')\"");
    expect(configtx).toMatch(/AnchorPeers:\n {6}- Host: 127\.0\.0\.1\n {8}Port: 8051/);
    expect(configtx.match(/- \*Org2/g)).toHaveLength(2);
    expect(cryptoConfigYaml(nodes)).toContain('Domain: org2.example.com');
  });
});
