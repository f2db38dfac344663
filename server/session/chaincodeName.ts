/**
 * The name a workspace's chaincode runs and is exported under: `chaincodeName`
 * in the workspace's studio.json when set, else its package.json's name made
 * safe for Fabric, else the workspace's name. Run and every export ask here.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ChaincodeDefinitionParams } from '../../protocol/fabric.ts';
import { ErrorCode, StudioError } from '../errors.ts';

/** The workspace file that holds the studio's per-project settings. */
export const studioJsonName = 'studio.json';

/** Where a workspace's chaincode name came from. */
export type ChaincodeNameSource = 'studio.json' | 'package.json' | 'workspace';

/** A workspace's chaincode name and where it came from. */
export interface ChaincodeNameSetting {
  readonly chaincodeName: string;
  readonly source: ChaincodeNameSource;
}

/** Fabric's rule for a chaincode name, shared with the chaincode definition. */
export const ChaincodeName = ChaincodeDefinitionParams.shape.name;

/** studio.json: every field optional; fields the studio does not know (a sample's title) are kept. */
export const StudioSettings = z.object({ chaincodeName: z.unknown().optional() }).passthrough();
export type StudioSettings = z.infer<typeof StudioSettings>;

/** The chaincode name a package.json name gives: the scope dropped, made safe for Fabric. */
export function chaincodeNameOf(packageName: unknown, workspace: string): string {
  const base = typeof packageName === 'string' ? packageName.replace(/^@[^/]+\//, '') : workspace;
  const cleaned = base.toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 50);
  return cleaned || 'chaincode';
}

/**
 * Reads a JSON file of the workspace, or undefined when there is none. A
 * symlink is refused rather than followed, so a workspace cannot make the
 * server read a file outside it.
 */
async function readJsonFile(workspaceDir: string, name: string): Promise<{ value: unknown } | undefined> {
  let text: string;
  try {
    const handle = await fs.open(path.join(workspaceDir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StudioError(ErrorCode.BadFile, `The workspace's ${name} cannot be read: make it a plain file.`, { cause: err });
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    throw new StudioError(ErrorCode.BadFile, `The workspace's ${name} is not valid JSON: fix it or delete it.`, { cause: err });
  }
}

/** The workspace's studio.json as an object (empty when there is none); a `bad_file` StudioError if it is not one. */
export async function readStudioSettings(workspaceDir: string): Promise<StudioSettings> {
  const read = await readJsonFile(workspaceDir, studioJsonName);
  if (read === undefined) return {};
  const parsed = StudioSettings.safeParse(read.value);
  if (!parsed.success) throw new StudioError(ErrorCode.BadFile, `The workspace's ${studioJsonName} must hold a JSON object, e.g. { "chaincodeName": "my-chaincode" }.`);
  return parsed.data;
}

/** studio.json's `chaincodeName`, checked against Fabric's rule; a `bad_file` StudioError naming the field if it breaks it. */
function checkedStudioName(value: unknown): string {
  const parsed = ChaincodeName.safeParse(value);
  if (parsed.success) return parsed.data;
  const shown = typeof value === 'string' ? `"${value.slice(0, 80)}"` : JSON.stringify(value) ?? String(value);
  throw new StudioError(
    ErrorCode.BadFile,
    `"chaincodeName" in ${studioJsonName} is ${shown}, which is not a Fabric chaincode name: use letters and digits joined by single - or _ (at most 128), e.g. "asset-transfer".`,
  );
}

/** The workspace's chaincode name and its source (see the module comment). */
export async function readChaincodeSetting(workspaceDir: string, workspace: string): Promise<ChaincodeNameSetting> {
  const settings = await readStudioSettings(workspaceDir);
  if (settings.chaincodeName !== undefined) return { chaincodeName: checkedStudioName(settings.chaincodeName), source: 'studio.json' };
  let packageName: unknown;
  try {
    const read = await readJsonFile(workspaceDir, 'package.json');
    packageName = (read?.value as { name?: unknown } | null | undefined)?.name;
  } catch {
    // An unreadable package.json names nothing; the compiler reports what is wrong with it.
    packageName = undefined;
  }
  if (typeof packageName === 'string') return { chaincodeName: chaincodeNameOf(packageName, workspace), source: 'package.json' };
  return { chaincodeName: chaincodeNameOf(undefined, workspace), source: 'workspace' };
}

/** The workspace's chaincode name (see {@link readChaincodeSetting}). */
export async function readChaincodeName(workspaceDir: string, workspace: string): Promise<string> {
  return (await readChaincodeSetting(workspaceDir, workspace)).chaincodeName;
}
