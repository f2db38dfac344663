import { describe, expect, it } from 'vitest';
import { ErrorCode, StudioError } from '../errors.ts';
import { createEndpointPolicy, type HostResolver } from './endpointPolicy.ts';

const node = (endpoint: string, hostname?: string) => ({ endpoint, tlsRootCert: 'pem', ...(hostname ? { hostname } : {}) });

async function refusal(promise: Promise<unknown>): Promise<StudioError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof StudioError)) throw new Error(`expected a StudioError, got ${String(err)}`);
  return err;
}

/** A resolver for names the test makes up: no query leaves the machine. */
const names = (table: Record<string, readonly string[]>): HostResolver => async (host) => {
  const found = table[host];
  if (!found) throw new Error(`ENOTFOUND ${host}`);
  return found;
};

describe('deploy endpoint policy', () => {
  it('refuses loopback, private, link-local, CGNAT and unspecified addresses', async () => {
    const policy = createEndpointPolicy({ allow: '' });
    for (const address of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.1.1', '169.254.10.20', '100.64.0.1', '100.127.255.254', '0.0.0.0']) {
      const err = await refusal(policy.pin(node(`${address}:7051`), 'peer'));
      expect(err.code, address).toBe(ErrorCode.Forbidden);
      expect(err.message).toMatch(/loopback, private or link-local.*STUDIO_DEPLOY_ALLOW/);
    }
  });

  it('checks every address a name resolves to, IPv6 and IPv4-mapped ones too', async () => {
    const policy = createEndpointPolicy({
      allow: '',
      resolve: names({
        'v6-loopback.test': ['::1'],
        'v6-ula.test': ['fd12:3456::1'],
        'v6-link.test': ['fe80::1'],
        'mapped.test': ['::ffff:127.0.0.1'],
        'mixed.test': ['203.0.113.7', '10.0.0.7'],
      }),
    });
    for (const host of ['v6-loopback.test', 'v6-ula.test', 'v6-link.test', 'mapped.test', 'mixed.test']) {
      expect((await refusal(policy.pin(node(`${host}:7051`), 'peer'))).code, host).toBe(ErrorCode.Forbidden);
    }
  });

  it('resolves localhost before checking it', async () => {
    const err = await refusal(createEndpointPolicy({ allow: '' }).pin(node('localhost:7051'), 'orderer'));
    expect(err.code).toBe(ErrorCode.Forbidden);
    expect(err.message).toMatch(/^The orderer endpoint localhost:7051 is a loopback/);
  });

  it('lets the allow-list name host:port endpoints or CIDR ranges', async () => {
    const policy = createEndpointPolicy({ allow: '172.18.0.0/16, 127.0.0.1:7051 ,localhost:7050' });
    await expect(policy.pin(node('172.18.0.5:7051'), 'peer')).resolves.toMatchObject({ endpoint: '172.18.0.5:7051' });
    await expect(policy.pin(node('127.0.0.1:7051'), 'peer')).resolves.toMatchObject({ endpoint: '127.0.0.1:7051' });
    expect((await refusal(policy.pin(node('127.0.0.1:7052'), 'peer'))).code).toBe(ErrorCode.Forbidden);
    expect((await refusal(policy.pin(node('172.19.0.5:7051'), 'peer'))).code).toBe(ErrorCode.Forbidden);
    const pinned = await policy.pin(node('localhost:7050'), 'orderer');
    expect(['127.0.0.1:7050', '[::1]:7050']).toContain(pinned.endpoint);
    expect(pinned.hostname).toBe('localhost');
    expect(() => createEndpointPolicy({ allow: 'not an entry' })).toThrow(/STUDIO_DEPLOY_ALLOW/);
  });

  it('dials the address it checked, keeping the name for the TLS check', async () => {
    const policy = createEndpointPolicy({ allow: '', resolve: names({ 'peer0.org1.test': ['203.0.113.7'] }) });
    expect(await policy.pin(node('peer0.org1.test:7051'), 'peer')).toEqual({ endpoint: '203.0.113.7:7051', tlsRootCert: 'pem', hostname: 'peer0.org1.test' });
    expect(await policy.pin(node('peer0.org1.test:7051', 'peer0'), 'peer')).toMatchObject({ endpoint: '203.0.113.7:7051', hostname: 'peer0' });
    expect(await policy.pin(node('198.51.100.1:7051'), 'peer')).toMatchObject({ endpoint: '198.51.100.1:7051' });
    const unknown = await refusal(policy.pin(node('nowhere.test:7051'), 'peer'));
    expect(unknown.message).toMatch(/does not resolve/);
  });
});
