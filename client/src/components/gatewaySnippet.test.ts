import { describe, expect, it } from 'vitest';
import type { ClientConnection } from '../../../protocol/clientConnection.ts';
import { gatewaySnippet, savedFileName } from './gatewaySnippet.ts';

const connection: ClientConnection = {
  workspace: 'demo',
  endpoint: '127.0.0.1:40123',
  host: '127.0.0.1',
  port: 40123,
  plaintext: true,
  channel: 'studio',
  chaincodeName: 'basic',
  mspId: 'Org1MSP',
  peerName: 'peer0.org1.example.com',
  identity: { commonName: 'User2@org1.example.com', certificate: 'PEM', notAfter: '2036-01-01T00:00:00.000Z' },
};

describe('the Gateway snippet', () => {
  it('fills in the endpoint, MSP ID, channel, chaincode and the downloaded files', () => {
    const snippet = gatewaySnippet(connection);
    expect(snippet).toContain(`new grpc.Client("127.0.0.1:40123", grpc.credentials.createInsecure())`);
    expect(snippet).toContain(`mspId: "Org1MSP", credentials: readFileSync("demo-client-cert.pem")`);
    expect(snippet).toContain(`createPrivateKey(readFileSync("demo-client-key.pem"))`);
    expect(snippet).toContain(`gateway.getNetwork("studio").getContract("basic")`);
  });

  it('quotes what it fills in, whatever the names hold', () => {
    const snippet = gatewaySnippet({ ...connection, chaincodeName: `a"b'c` });
    expect(snippet).toContain(`getContract("a\\"b'c")`);
  });

  it('names the saved files after the workspace', () => {
    expect(savedFileName('demo', 'connection-profile.json')).toBe('demo-connection-profile.json');
  });
});
