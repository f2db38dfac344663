/**
 * The name a workspace's chaincode runs under: its package.json's name, made
 * safe for Fabric, or the workspace's name when it has none.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** The chaincode name a workspace defines: from its package.json, made safe for Fabric. */
export function chaincodeNameOf(packageName: unknown, workspace: string): string {
  const base = typeof packageName === 'string' ? packageName.replace(/^@[^/]+\//, '') : workspace;
  const cleaned = base.toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 50);
  return cleaned || 'chaincode';
}

/** Reads the workspace's package.json (an unreadable one counts as none) and names its chaincode. */
export async function readChaincodeName(workspaceDir: string, workspace: string): Promise<string> {
  let packageName: unknown;
  try {
    packageName = (JSON.parse(await fs.readFile(path.join(workspaceDir, 'package.json'), 'utf8')) as { name?: unknown }).name;
  } catch {
    packageName = undefined;
  }
  return chaincodeNameOf(packageName, workspace);
}
