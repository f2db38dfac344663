import { describe, expect, it } from 'vitest';
import type { SandboxStatus } from '../../protocol/messages.ts';
import type { AgentStatus } from '../sandbox/agentClient.ts';
import { translateAgentStatus } from './agentStatus.ts';

function agent(patch: Partial<AgentStatus> = {}): AgentStatus {
  return {
    phase: 'ready',
    message: 'ready',
    mode: 'dev',
    fabricVersion: '2.5.9',
    channel: 'studio',
    mspId: 'Org1MSP',
    orderer: { running: true, restarts: 0 },
    peer: { running: true, restarts: 0 },
    chaincode: { phase: 'running', name: 'basic', packageId: 'basic:1', pid: 42 },
    ...patch,
  };
}

const shown = (patch: Partial<SandboxStatus> = {}): SandboxStatus => ({ workspace: 'w', phase: 'ready', chaincode: 'running', channel: 'studio', ...patch });

describe('translating the agent status', () => {
  it('shows a ready sandbox with a running chaincode as such', () => {
    const t = translateAgentStatus(agent(), shown({ phase: 'starting', chaincode: 'stopped' }), false);
    expect(t.patch).toEqual({ phase: 'ready', chaincode: 'running', fabricVersion: '2.5.9', channel: 'studio', mspId: 'Org1MSP', packageId: 'basic:1' });
    expect(t.chaincodeCrashed).toBe(false);
    expect(t.restarting).toBe(false);
  });

  it('keeps the phases a Run is in the middle of', () => {
    expect(translateAgentStatus(agent(), shown({ chaincode: 'starting' }), false).patch.chaincode).toBe('starting');
    const stopped = agent({ chaincode: { phase: 'stopped', pid: null } });
    expect(translateAgentStatus(stopped, shown({ chaincode: 'compiling' }), false).patch.chaincode).toBe('compiling');
    expect(translateAgentStatus(stopped, shown({ chaincode: 'running' }), false).patch.chaincode).toBe('stopped');
  });

  it('reports a crash once, naming the limit the process hit', () => {
    const crashed = agent({ chaincode: { phase: 'crashed', pid: null, reason: 'killed: sandbox memory limit (768 MB)' } });
    const first = translateAgentStatus(crashed, shown(), false);
    expect(first.chaincodeCrashed).toBe(true);
    expect(first.patch).toMatchObject({ chaincode: 'crashed', message: 'The chaincode process killed: sandbox memory limit (768 MB). Press Run to start it again.' });
    const again = translateAgentStatus(crashed, shown({ chaincode: 'crashed' }), false);
    expect(again.chaincodeCrashed).toBe(false);
    expect(again.patch.message).toBeUndefined();
  });

  it('says transactions fail while the peer is restarted, and says when it is back', () => {
    const down = agent({ peer: { running: false, restarts: 1 } });
    const during = translateAgentStatus(down, shown(), false);
    expect(during.patch.phase).toBe('starting');
    expect(during.patch.message).toBe('The peer stopped and is being restarted by the sandbox (restart 1); transactions fail until it is back.');
    expect(during.restarting).toBe(true);
    const back = translateAgentStatus(agent({ peer: { running: true, restarts: 1 } }), shown({ phase: 'starting' }), during.restarting);
    expect(back.patch).toMatchObject({ phase: 'ready', message: 'The peer and the orderer are running again.' });
    expect(back.restarting).toBe(false);
  });

  it('names both when the peer and the orderer are down', () => {
    const t = translateAgentStatus(agent({ peer: { running: false, restarts: 2 }, orderer: { running: false, restarts: 1 } }), shown(), false);
    expect(t.patch.message).toMatch(/^The peer and orderer stopped and is being restarted by the sandbox \(restart 3\)/);
  });

  it("counts another org's peer and chaincode process in a network of several orgs", () => {
    const org = (mspId: string, peerPort: number, patch: Partial<NonNullable<AgentStatus['orgs']>[number]> = {}) => ({
      mspId,
      peerPort,
      peerHostname: `peer0.${mspId.replace('MSP', '').toLowerCase()}.example.com`,
      peer: { running: true, restarts: 0 },
      chaincode: { phase: 'running' as const, name: 'basic', pid: 43 },
      ...patch,
    });
    const peerDown = translateAgentStatus(agent({ orgs: [org('Org1MSP', 7051), org('Org2MSP', 8051, { peer: { running: false, restarts: 1 } })] }), shown(), false);
    expect(peerDown.patch.message).toMatch(/^The peer of Org2MSP stopped and is being restarted by the sandbox \(restart 1\)/);
    const crashed = translateAgentStatus(
      agent({ orgs: [org('Org1MSP', 7051), org('Org2MSP', 8051, { chaincode: { phase: 'crashed', pid: null, reason: 'exited with code 1' } })] }),
      shown(),
      false,
    );
    expect(crashed.patch).toMatchObject({ chaincode: 'crashed', message: 'The chaincode process of Org2MSP exited with code 1. Press Run to start it again.' });
    expect(crashed.chaincodeCrashed).toBe(true);
  });

  it('passes an agent error on in its own words', () => {
    const t = translateAgentStatus(agent({ phase: 'error', message: 'The orderer could not start: port in use' }), shown(), false);
    expect(t.patch).toMatchObject({ phase: 'error', message: 'The orderer could not start: port in use' });
  });

  it('shows a sandbox still starting its network as starting', () => {
    expect(translateAgentStatus(agent({ phase: 'starting', fabricVersion: null }), shown({ phase: 'creating' }), false).patch).toMatchObject({ phase: 'starting', fabricVersion: undefined });
  });
});
