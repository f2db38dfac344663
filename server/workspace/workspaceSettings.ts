/**
 * The project settings the IDE shows and edits before the first Run, kept in
 * the workspace's studio.json: the chaincode name and the network.
 */
import { readChaincodeSetting, readStudioSettings, studioJsonName, type ChaincodeNameSetting } from '../session/chaincodeName.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { WorkspaceStore } from './workspaceStore.ts';
import type { InvalidParamsData } from '../../protocol/errorData.ts';
import type { FileEntry, WorkspaceNetworkResult } from '../../protocol/messages.ts';
import { checkNetworkSettings, defaultNetworkSettings, networkChange, type NetworkChange } from '../../protocol/networkSettings.ts';
import { networkIssuesMessage, readCollectionsConfig, readNetworkSettings } from './networkSettings.ts';

/** The settings of workspace `workspace`; `not_found` if there is no such workspace. */
export async function workspaceSettings(store: WorkspaceStore, workspace: string): Promise<ChaincodeNameSetting> {
  if (!(await store.exists(workspace))) {
    throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}": create it first or pick one from the list.`);
  }
  return readChaincodeSetting(store.dir(workspace), workspace);
}

/**
 * Writes `chaincodeName` (already checked against Fabric's rule by the
 * request schema) into studio.json through the store, keeping its other
 * fields; answers the settings as they now are.
 */
export async function setChaincodeName(store: WorkspaceStore, workspace: string, chaincodeName: string): Promise<ChaincodeNameSetting & { path: string; version: string }> {
  if (!(await store.exists(workspace))) {
    throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}": create it first or pick one from the list.`);
  }
  const settings = await readStudioSettings(store.dir(workspace));
  const written = await store.write(workspace, studioJsonName, `${JSON.stringify({ ...settings, chaincodeName }, null, 2)}\n`);
  return { ...(await readChaincodeSetting(store.dir(workspace), workspace)), ...written };
}

/** Workspace files named like a collections config, offered as one (an imported project's own among them). */
export function collectionsConfigFiles(files: readonly FileEntry[]): string[] {
  return files
    .filter((f) => f.kind === 'file' && /(^|\/)[^/]*collections?[^/]*\.json$/i.test(f.path) && !f.path.split('/').includes('node_modules'))
    .map((f) => f.path)
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))
    .slice(0, 20);
}

async function networkResult(store: WorkspaceStore, workspace: string): Promise<WorkspaceNetworkResult> {
  const read = await readNetworkSettings(store.dir(workspace));
  return {
    network: read.settings ? { ...read.settings, orgs: [...read.settings.orgs] } : null,
    issues: [...read.issues],
    collections: (read.collections ?? []).map((c) => ({ name: c.name, policy: c.policy })),
    collectionsFiles: collectionsConfigFiles(await store.listFiles(workspace)),
  };
}

/** The network settings of workspace `workspace` and their problems; `not_found` if there is no such workspace. */
export async function workspaceNetwork(store: WorkspaceStore, workspace: string): Promise<WorkspaceNetworkResult> {
  if (!(await store.exists(workspace))) {
    throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}": create it first or pick one from the list.`);
  }
  return networkResult(store, workspace);
}

/**
 * Writes `network` into studio.json, keeping its other fields, once the
 * settings and their collections config check out (else `invalid_params`,
 * each problem at its field, and nothing is written); answers the settings as
 * they now are and what the next Run does with the sandbox.
 */
export async function setWorkspaceNetwork(
  store: WorkspaceStore,
  workspace: string,
  network: unknown,
): Promise<WorkspaceNetworkResult & { path: string; version: string; change: NetworkChange }> {
  if (!(await store.exists(workspace))) {
    throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}": create it first or pick one from the list.`);
  }
  const checked = checkNetworkSettings(network);
  const issues = checked.ok ? [] : [...checked.issues];
  if (checked.ok && checked.settings.collectionsConfig !== undefined) {
    const read = await readCollectionsConfig(store.dir(workspace), checked.settings.collectionsConfig, checked.settings.orgs);
    if ('issues' in read) issues.push(...read.issues);
  }
  if (!checked.ok || issues.length > 0) {
    throw new StudioError(ErrorCode.InvalidParams, networkIssuesMessage(issues), { data: { issues } satisfies InvalidParamsData });
  }
  const dir = store.dir(workspace);
  const before = await readNetworkSettings(dir);
  const settings = await readStudioSettings(dir);
  const written = await store.write(workspace, studioJsonName, `${JSON.stringify({ ...settings, network: checked.settings }, null, 2)}\n`);
  const change = networkChange(before.settings ?? defaultNetworkSettings, checked.settings);
  return { ...(await networkResult(store, workspace)), ...written, change };
}
