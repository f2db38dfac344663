/**
 * Run's network step. Before any sandbox or Fabric call, the workspace's
 * network settings are checked (a bad field is refused naming it,
 * `bad_file`); once the sandbox runs, it is made that network: the same orgs
 * and channel are kept as they are, other ones rebuild the sandbox's network
 * (its ledger lost, as the Network form's confirmation says). The policy and
 * collections go into the chaincode definition the sandbox approves.
 */
import type { AgentDefinitionOptions, AgentNetworkRequest } from '../../protocol/agent.ts';
import type { NetworkSettings } from '../../protocol/networkSettings.ts';
import { channelName, mspId } from '../config.ts';
import type { SandboxHandle } from '../sandbox/sandboxDriver.ts';
import { readWorkspaceNetwork, type WorkspaceNetwork } from '../workspace/networkSettings.ts';
import type { SandboxLink } from './sandboxLink.ts';
import type { SessionReporter } from './sessionReporter.ts';

/** The orgs and channel the sandbox's network must have for `settings`. */
export function networkShapeOf(settings: NetworkSettings): AgentNetworkRequest {
  return { orgs: [...settings.orgs], channel: settings.channel };
}

/** True for the one-org sandbox every spare of the warm pool already is. */
export function isOneOrgSandbox(shape: AgentNetworkRequest): boolean {
  return shape.orgs.length === 1 && shape.orgs[0] === mspId && shape.channel === channelName;
}

/** What the sandbox approves the chaincode definition with: the network's endorsement policy and collections. */
export function definitionOptionsOf(network: WorkspaceNetwork): AgentDefinitionOptions {
  return {
    ...(network.settings.endorsementPolicy !== undefined ? { endorsementPolicy: network.settings.endorsementPolicy } : {}),
    ...(network.collections ? { collections: [...network.collections] } : {}),
  };
}

/** The workspace's network for Run, or a StudioError naming what is wrong with it. */
export async function networkForRun(workspaceDir: string): Promise<WorkspaceNetwork> {
  return readWorkspaceNetwork(workspaceDir);
}

/**
 * Makes the running sandbox's network `shape`: nothing to do when it has these orgs and channel;
 * otherwise the agent rebuilds it and the link attaches anew (Gateways to the new peers, the
 * ledger view from the new channel's first block).
 */
export async function ensureNetworkShape(options: { handle: SandboxHandle; link: SandboxLink; reporter: SessionReporter; shape: AgentNetworkRequest }): Promise<void> {
  const { handle, link, reporter, shape } = options;
  const status = await handle.agent.status();
  const orgs = status.orgs?.map((org) => org.mspId) ?? [status.mspId];
  if (status.channel === shape.channel && orgs.length === shape.orgs.length && orgs.every((org, i) => org === shape.orgs[i])) return;
  const what = `${shape.orgs.join(', ')} on channel ${shape.channel}`;
  reporter.log('sandbox', `Rebuilding the sandbox's network as ${what} (it was ${orgs.join(', ')} on channel ${status.channel}; its ledger is replaced)`);
  reporter.setStatus({ message: `Rebuilding the network as ${what}` });
  await handle.agent.setNetwork(shape);
  await link.attach(handle, false);
}
