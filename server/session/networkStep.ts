/**
 * Run's check of the workspace's network settings, before any sandbox or
 * Fabric call: a bad field is refused naming it (`bad_file`), and a network
 * this sandbox cannot yet become is refused saying what it runs instead
 * (`sandbox`), so a one-org workspace runs exactly as before.
 */
import type { NetworkSettings } from '../../protocol/networkSettings.ts';
import { channelName, mspId } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { readWorkspaceNetwork, type WorkspaceNetwork } from '../workspace/networkSettings.ts';

/** What of `settings` the sandbox cannot build yet, in words a user can act on; null when it can build all of it. */
export function unsupportedNetworkProblem(settings: NetworkSettings): string | null {
  const parts: string[] = [];
  if (settings.orgs.length !== 1 || settings.orgs[0] !== mspId) parts.push(`${settings.orgs.length === 1 ? 'the org' : `${settings.orgs.length} orgs`} ${settings.orgs.join(', ')}`);
  if (settings.channel !== channelName) parts.push(`channel "${settings.channel}"`);
  if (settings.endorsementPolicy !== undefined) parts.push('an endorsement policy');
  if (settings.collectionsConfig !== undefined) parts.push('a collections config');
  if (parts.length === 0) return null;
  return `This sandbox runs one org (${mspId}) on channel "${channelName}" with the channel's default endorsement policy and no collections; it cannot yet build ${parts.join(', ')}. Reset the network settings to that shape in studio.json to run here.`;
}

/** The workspace's network for Run, or a StudioError naming what is wrong with it or what the sandbox cannot build. */
export async function networkForRun(workspaceDir: string): Promise<WorkspaceNetwork> {
  const network = await readWorkspaceNetwork(workspaceDir);
  const problem = unsupportedNetworkProblem(network.settings);
  if (problem !== null) throw new StudioError(ErrorCode.Sandbox, problem);
  return network;
}
