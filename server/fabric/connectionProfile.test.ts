import { describe, expect, it } from 'vitest';
import { buildConnectionProfile } from './connectionProfile.ts';

const base = { name: 'studio-demo', organization: 'Org1', mspId: 'Org1MSP', peerName: 'peer0.org1.example.com', endpoint: '127.0.0.1:40123', channel: 'studio' };

describe('the connection profile', () => {
  it('names the client org, its MSP and its one plaintext peer', () => {
    expect(buildConnectionProfile(base)).toEqual({
      name: 'studio-demo',
      version: '1.0.0',
      client: { organization: 'Org1', connection: { timeout: { peer: { endorser: '300' } } } },
      organizations: { Org1: { mspid: 'Org1MSP', peers: ['peer0.org1.example.com'] } },
      peers: { 'peer0.org1.example.com': { url: 'grpc://127.0.0.1:40123' } },
      channels: { studio: { peers: { 'peer0.org1.example.com': { endorsingPeer: true, chaincodeQuery: true, ledgerQuery: true, eventSource: true } } } },
    });
  });

  it('points every reference at the same peer and org', () => {
    const profile = buildConnectionProfile({ ...base, organization: 'Org2', mspId: 'Org2MSP', peerName: 'peer1.org2.example.com', channel: 'mychannel' });
    const org = profile.organizations[profile.client.organization];
    expect(org?.mspid).toBe('Org2MSP');
    for (const peer of org?.peers ?? []) {
      expect(profile.peers[peer]?.url).toBe('grpc://127.0.0.1:40123');
      expect(profile.channels.mychannel?.peers[peer]?.endorsingPeer).toBe(true);
    }
  });

  it('gives a TLS peer grpcs, its CA and the name its certificate holds', () => {
    const peer = buildConnectionProfile({ ...base, endpoint: '[::1]:7051', tls: { rootCert: 'PEM', hostname: 'peer0.org1.example.com' } }).peers['peer0.org1.example.com'];
    expect(peer).toEqual({ url: 'grpcs://[::1]:7051', tlsCACerts: { pem: 'PEM' }, grpcOptions: { 'ssl-target-name-override': 'peer0.org1.example.com' } });
    expect(buildConnectionProfile({ ...base, tls: { rootCert: 'PEM' } }).peers['peer0.org1.example.com']).toEqual({ url: 'grpcs://127.0.0.1:40123', tlsCACerts: { pem: 'PEM' } });
  });

  it('is plain JSON that survives a round trip', () => {
    const profile = buildConnectionProfile(base);
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
  });
});
