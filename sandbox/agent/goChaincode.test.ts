import { describe, expect, it } from 'vitest';
import { connectedToPeer, goChaincodeCommand, goChaincodeEnv } from './goChaincode.mjs';

describe('goChaincodeCommand', () => {
  it('runs the binary itself with the peer address when not debugging', () => {
    expect(goChaincodeCommand({ binary: '/chaincode/app/go-chaincode', debug: false, waitForDebugger: false })).toEqual({
      command: '/chaincode/app/go-chaincode',
      args: ['-peer.address', '127.0.0.1:7052'],
    });
  });

  it('runs it under Delve, stopped until the debugger continues it only when asked to wait', () => {
    const waiting = goChaincodeCommand({ binary: '/b', debug: true, waitForDebugger: true, delve: '/dlv' });
    expect(waiting.command).toBe('/dlv');
    expect(waiting.args.slice(0, 3)).toEqual(['exec', '/b', '--headless']);
    expect(waiting.args).toContain('--listen=127.0.0.1:2345');
    expect(waiting.args).not.toContain('--continue');
    expect(waiting.args.slice(-3)).toEqual(['--', '-peer.address', '127.0.0.1:7052']);
    expect(goChaincodeCommand({ binary: '/b', debug: true, waitForDebugger: false, delve: '/dlv' }).args).toContain('--continue');
  });
});

describe('goChaincodeEnv', () => {
  it('gives the environment a peer gives a Go chaincode, without TLS in dev mode', () => {
    expect(goChaincodeEnv({ packageId: 'basic:abc' })).toMatchObject({ CORE_CHAINCODE_ID_NAME: 'basic:abc', CORE_PEER_TLS_ENABLED: 'false', CORE_PEER_LOCALMSPID: 'Org1MSP' });
  });
});

describe('connectedToPeer', () => {
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
  it('sees an established connection to the peer chaincode port (7052 = 1B8C)', () => {
    const established = `${header}\n   3: 0100007F:A1B2 0100007F:1B8C 01 00000000:00000000 00:00000000 00000000 1900000001 0 12345`;
    expect(connectedToPeer(established)).toBe(true);
  });

  it('ignores the listening socket and connections elsewhere', () => {
    const listening = `${header}\n   0: 0100007F:1B8C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1900000000 0 1\n   1: 0100007F:A1B2 0100007F:1B8B 01 00000000:00000000 00:00000000 00000000 0 0 2`;
    expect(connectedToPeer(listening)).toBe(false);
  });
});
