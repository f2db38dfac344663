/**
 * Translates what a sandbox's agent reports (AgentStatus) into the status the
 * IDE shows (SandboxStatus): the sandbox phase, the chaincode phase, and a
 * message saying what broke and what to do while the peer, the orderer or the
 * chaincode process is down.
 */
import type { SandboxStatus } from '../../protocol/messages.ts';
import type { AgentStatus } from '../sandbox/agentClient.ts';

export interface AgentStatusTranslation {
  /** What changes in the IDE's status. */
  readonly patch: Partial<SandboxStatus>;
  /** A peer or orderer restart is under way; pass it back in with the next agent status. */
  readonly restarting: boolean;
  /** The chaincode process crashed since `current`: its debugger is gone with it. */
  readonly chaincodeCrashed: boolean;
}

/**
 * `current`: the status the IDE shows now (a Run in progress keeps its `compiling` or
 * `starting` chaincode phase); `restarting`: what the previous translation returned.
 */
export function translateAgentStatus(agent: AgentStatus, current: SandboxStatus, restarting: boolean): AgentStatusTranslation {
  // The agent restarts a peer or orderer that dies; until it is back, transactions fail: say so.
  // In a network of several orgs, the other orgs' peers and chaincode processes count as well.
  const others = (agent.orgs ?? []).slice(1);
  const down =
    agent.phase === 'ready'
      ? [agent.peer.running ? '' : 'peer', ...others.map((org) => (org.peer.running ? '' : `peer of ${org.mspId}`)), agent.orderer.running ? '' : 'orderer'].filter(Boolean)
      : [];
  const otherCrash = others.find((org) => org.chaincode.phase === 'crashed');
  // The processes of every org start together: one crashed means Run must start them again.
  const own = agent.chaincode.phase === 'running' && otherCrash ? { ...otherCrash.chaincode, reason: `of ${otherCrash.mspId} ${otherCrash.chaincode.reason ?? 'stopped'}` } : agent.chaincode;
  const phase = down.length > 0 ? 'starting' : agent.phase === 'ready' ? 'ready' : agent.phase === 'error' ? 'error' : 'starting';
  const cc = own.phase;
  const chaincode =
    cc === 'running' ? (current.chaincode === 'starting' ? 'starting' : 'running') : cc === 'crashed' ? 'crashed' : current.chaincode === 'compiling' ? 'compiling' : 'stopped';
  const patch: Partial<SandboxStatus> = { phase, chaincode, fabricVersion: agent.fabricVersion ?? undefined, channel: agent.channel, mspId: agent.mspId };
  if (agent.chaincode.packageId) patch.packageId = agent.chaincode.packageId;
  const chaincodeCrashed = cc === 'crashed' && current.chaincode !== 'crashed';
  if (chaincodeCrashed) {
    const reason = own.reason;
    patch.message = reason ? `The chaincode process ${reason}. Press Run to start it again.` : 'The chaincode process stopped; see the log. Fix the code and press Run.';
  }
  if (phase === 'error') patch.message = agent.message;
  const crashed = cc === 'crashed' && own.reason ? ` The chaincode process ${own.reason}: press Run to start it again.` : '';
  let stillRestarting = restarting;
  if (down.length > 0) {
    const restarts = agent.peer.restarts + agent.orderer.restarts + others.reduce((sum, org) => sum + org.peer.restarts, 0);
    patch.message = `The ${down.join(' and ')} stopped and is being restarted by the sandbox (restart ${restarts}); transactions fail until it is back.${crashed}`;
    stillRestarting = true;
  } else if (restarting && phase === 'ready') {
    stillRestarting = false;
    patch.message = `The peer and the orderer are running again.${crashed}`;
  }
  return { patch, restarting: stillRestarting, chaincodeCrashed };
}
