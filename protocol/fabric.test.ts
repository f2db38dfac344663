import { describe, expect, it } from 'vitest';
import { ChaincodeDefinitionParams, chaincodeNameProblem, packageLabelPattern, packageLabelProblem, suggestedPackageLabel, TlsEndpoint } from './fabric.ts';

describe('packageLabelProblem', () => {
  it('accepts the labels the peer accepts', () => {
    for (const label of ['basic_1.0', 'a', '9', 'cc+v2-rc.1', 'ASSET_transfer']) expect(packageLabelProblem(label)).toBeNull();
  });

  it('names what is wrong with the labels the peer refuses', () => {
    expect(packageLabelProblem('')).toMatch(/Enter a label/);
    expect(packageLabelProblem('_basic')).toMatch(/starts with a letter or a digit/);
    expect(packageLabelProblem('.x')).toMatch(/starts with a letter or a digit/);
    expect(packageLabelProblem('basic 1.0')).toMatch(/only letters, digits/);
    expect(packageLabelProblem('basic:1.0')).toMatch(/only letters, digits/);
    expect(packageLabelProblem('bäsic')).toMatch(/only letters, digits/);
  });
});

describe('chaincodeNameProblem', () => {
  it('accepts what a chaincode definition accepts, and names what is wrong with the rest', () => {
    for (const name of ['basic', 'asset-transfer', 'cc_2', 'A1-b_C']) {
      expect(chaincodeNameProblem(name)).toBeNull();
      expect(ChaincodeDefinitionParams.shape.name.safeParse(name).success).toBe(true);
    }
    expect(chaincodeNameProblem('')).toMatch(/Enter a chaincode name/);
    expect(chaincodeNameProblem('x'.repeat(129))).toMatch(/at most 128/);
    for (const name of ['-basic', 'basic-', 'a--b', 'a b', 'asset.transfer', 'bäsic']) {
      expect(chaincodeNameProblem(name)).toMatch(/joined by single - or _/);
      expect(ChaincodeDefinitionParams.shape.name.safeParse(name).success).toBe(false);
    }
  });
});

describe('suggestedPackageLabel', () => {
  it('is the chaincode name with _1.0, cleaned to what the rule allows', () => {
    expect(suggestedPackageLabel('asset-transfer-ts')).toBe('asset-transfer-ts_1.0');
    expect(suggestedPackageLabel('@org/my cc')).toBe('orgmycc_1.0');
    expect(suggestedPackageLabel('---')).toBe('chaincode_1.0');
    expect(packageLabelProblem(suggestedPackageLabel('@org/my cc'))).toBeNull();
  });
});

describe('Fabric rules', () => {
  it('the label pattern is the one the peer uses', () => {
    expect(packageLabelPattern.test('basic_1.0')).toBe(true);
    expect(packageLabelPattern.test('-basic')).toBe(false);
    expect(packageLabelPattern.test('a/b')).toBe(false);
  });

  it('chaincode definitions: names joined by single - or _, versions without spaces, sequences from 1', () => {
    expect(ChaincodeDefinitionParams.safeParse({ name: 'asset-transfer_2', version: '1.0+rc.1', sequence: 1 }).success).toBe(true);
    for (const name of ['-x', 'a--b', 'a b', 'a.b', '']) expect(ChaincodeDefinitionParams.safeParse({ name, version: '1', sequence: 1 }).success, name).toBe(false);
    expect(ChaincodeDefinitionParams.safeParse({ name: 'a', version: '1 0', sequence: 1 }).success).toBe(false);
    expect(ChaincodeDefinitionParams.safeParse({ name: 'a', version: '1', sequence: 0 }).success).toBe(false);
  });

  it('a TLS endpoint is host:port with a PEM, and takes no IPv6 literal or path', () => {
    expect(TlsEndpoint.safeParse({ endpoint: 'peer0.org1.example.com:7051', tlsRootCert: 'pem' }).success).toBe(true);
    for (const endpoint of ['peer0:7051/x', '[::1]:7051', 'peer0', 'http://peer0:7051']) {
      expect(TlsEndpoint.safeParse({ endpoint, tlsRootCert: 'pem' }).success, endpoint).toBe(false);
    }
  });
});
