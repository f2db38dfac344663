/**
 * Run's check of the workspace's network settings, before any sandbox or
 * Fabric call: a bad field is refused naming it (`bad_file`), and a network
 * this sandbox cannot yet become is refused saying what it runs instead
 * (`sandbox`), so a one-org workspace runs exactly as before. The policy and
 * collections go into the chaincode definition the sandbox approves.
 */
import type { AgentDefinitionOptions } from '../../protocol/agent.ts';
import type { NetworkSettings } from '../../protocol/networkSettings.ts';
import { channelName, mspId } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { readWorkspaceNetwork, type WorkspaceNetwork } from '../workspace/networkSettings.ts';

/** What of `settings` the sandbox cannot build yet, in words a user can act on; null when it can build all of it. */
export function unsupportedNetworkProblem(settings: NetworkSettings): string | null {
  const parts: string[] = [];
  if (settings.orgs.length !== 1 || settings.orgs[0] !== mspId) parts.push(`${settings.orgs.length === 1 ? 'the org' : `${settings.orgs.length} orgs`} ${settings.orgs.join(', ')}`);
  if (settings.channel !== channelName) parts.push(`channel "${settings.channel}"`);
  if (parts.length === 0) return null;
  return `This sandbox runs one org (${mspId}) on channel "${channelName}"; it cannot yet build ${parts.join(', ')}. Set the network settings back to one org ${mspId} on channel "${channelName}" (the endorsement policy and collections config work there) to run here.`;
}

/** What the sandbox approves the chaincode definition with: the network's endorsement policy and collections. */
export function definitionOptionsOf(network: WorkspaceNetwork): AgentDefinitionOptions {
  return {
    ...(network.settings.endorsementPolicy !== undefined ? { endorsementPolicy: network.settings.endorsementPolicy } : {}),
    ...(network.collections ? { collections: [...network.collections] } : {}),
  };
}

/** The workspace's network for Run, or a StudioError naming what is wrong with it or what the sandbox cannot build. */
export async function networkForRun(workspaceDir: string): Promise<WorkspaceNetwork> {
  const network = await readWorkspaceNetwork(workspaceDir);
  const problem = unsupportedNetworkProblem(network.settings);
  if (problem !== null) throw new StudioError(ErrorCode.Sandbox, problem);
  return network;
}
