/**
 * A workspace's network (`network` in its studio.json, see
 * protocol/networkSettings.ts) with its collections config file read and
 * checked: what Run builds the sandbox from, refused field by field before
 * any Fabric call.
 */
import { constants, promises as fs } from 'node:fs';
import { checkCollectionsConfig, type CollectionConfig } from '../../protocol/collectionsConfig.ts';
import { checkNetworkSettings, type NetworkSettings, type NetworkSettingsIssue } from '../../protocol/networkSettings.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { readStudioSettings, studioJsonName } from '../session/chaincodeName.ts';
import { isNotFound, resolveInside } from './resolveInside.ts';
import { assertReadableSize, decodeText } from './textFile.ts';

/** The network of a workspace and, when it names one, its collections. */
export interface WorkspaceNetwork {
  readonly settings: NetworkSettings;
  /** The collections of `settings.collectionsConfig`, checked against Fabric's format and the network's orgs. */
  readonly collections?: readonly CollectionConfig[];
}

/** The network settings as studio.json has them, and what is wrong with them (nothing when `issues` is empty). */
export interface NetworkSettingsRead {
  readonly settings: NetworkSettings | undefined;
  readonly collections?: readonly CollectionConfig[];
  readonly issues: readonly NetworkSettingsIssue[];
}

/** Reads and checks the collections config file `file` of the workspace for the orgs `mspIds`. */
export async function readCollectionsConfig(
  workspaceDir: string,
  file: string,
  mspIds: readonly string[],
): Promise<{ collections: readonly CollectionConfig[] } | { issues: NetworkSettingsIssue[] }> {
  const at = (path: string) => `${file}${path.startsWith('[') || path === '' ? '' : '.'}${path}`;
  let text: string;
  try {
    const inside = await resolveInside(workspaceDir, file);
    const handle = await fs.open(inside.abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return { issues: [{ path: 'network.collectionsConfig', message: `"${file}" is not a file: name the workspace's collections_config.json` }] };
      assertReadableSize(inside.rel, stat.size);
      text = decodeText(inside.rel, await handle.readFile());
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (isNotFound(err)) return { issues: [{ path: 'network.collectionsConfig', message: `"${file}" does not exist in the workspace: create it, or clear the setting` }] };
    const message = err instanceof Error ? err.message : String(err);
    return { issues: [{ path: 'network.collectionsConfig', message }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { issues: [{ path: file, message: `is not valid JSON (${err instanceof Error ? err.message : String(err)})` }] };
  }
  const checked = checkCollectionsConfig(value, mspIds);
  if (!checked.ok) return { issues: checked.issues.map((issue) => ({ path: at(issue.path), message: issue.message })) };
  return { collections: checked.collections };
}

/** The workspace's network settings and every problem with them, for the Settings view (never throws for a bad field). */
export async function readNetworkSettings(workspaceDir: string): Promise<NetworkSettingsRead> {
  const studio = await readStudioSettings(workspaceDir);
  const checked = checkNetworkSettings(studio.network);
  if (!checked.ok) return { settings: undefined, issues: checked.issues };
  const file = checked.settings.collectionsConfig;
  if (file === undefined) return { settings: checked.settings, issues: [] };
  const read = await readCollectionsConfig(workspaceDir, file, checked.settings.orgs);
  if ('issues' in read) return { settings: checked.settings, issues: read.issues };
  return { settings: checked.settings, collections: read.collections, issues: [] };
}

/** The issues in one message a user can act on: each at its field. */
export function networkIssuesMessage(issues: readonly NetworkSettingsIssue[]): string {
  const lines = issues.map((issue) => `${issue.path}: ${issue.message}`);
  return `The network settings in ${studioJsonName} cannot be used: ${lines.join('; ')}.`;
}

/** The workspace's network, or a `bad_file` StudioError naming each bad field (see {@link readNetworkSettings}). */
export async function readWorkspaceNetwork(workspaceDir: string): Promise<WorkspaceNetwork> {
  const read = await readNetworkSettings(workspaceDir);
  if (read.settings === undefined || read.issues.length > 0) throw new StudioError(ErrorCode.BadFile, networkIssuesMessage(read.issues));
  return { settings: read.settings, ...(read.collections ? { collections: read.collections } : {}) };
}
