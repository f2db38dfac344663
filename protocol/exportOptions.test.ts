import { describe, expect, it } from 'vitest';
import { CcaasOptions, ccaasOptionsProblem, exportFieldProblem } from './exportOptions.ts';

describe('export options', () => {
  it("accepts what an operator's network uses, and leaves empty fields to the defaults", () => {
    expect(CcaasOptions.safeParse({ channel: 'supply-chain', version: '2.1.0', sequence: 3, namespace: 'fabric-cc', address: 'basic.fabric:7052' }).success).toBe(true);
    for (const field of ['channel', 'version', 'namespace', 'address', 'rootCert'] as const) expect(exportFieldProblem(field, '  ')).toBeNull();
  });

  it('says what is wrong with a field in words a user can act on', () => {
    expect(exportFieldProblem('namespace', 'Fabric')).toMatch(/Kubernetes namespace/);
    expect(exportFieldProblem('channel', 'My Channel')).toMatch(/channel name/);
    expect(exportFieldProblem('address', 'basic.fabric')).toMatch(/host:port/);
    expect(exportFieldProblem('version', '1 0')).toMatch(/version/);
    expect(exportFieldProblem('rootCert', 'not a certificate')).toMatch(/PEM certificate/);
    expect(CcaasOptions.safeParse({ sequence: 0 }).success).toBe(false);
  });

  it('wants the CA certificate when the peer dials with TLS', () => {
    expect(ccaasOptionsProblem({ tlsRequired: true })).toMatch(/CA certificate/);
    expect(ccaasOptionsProblem({ tlsRequired: true, rootCert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' })).toBeNull();
    expect(ccaasOptionsProblem({})).toBeNull();
  });
});
