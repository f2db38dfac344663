/**
 * The project settings the IDE shows and edits before the first Run: today
 * the chaincode name, kept in the workspace's studio.json.
 */
import { readChaincodeSetting, readStudioSettings, studioJsonName, type ChaincodeNameSetting } from '../session/chaincodeName.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { WorkspaceStore } from './workspaceStore.ts';

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
