/**
 * Runs the real Fabric CLI binaries (built by setup into `fabricBinDir`) for
 * the offline commands we check our packages against:
 * `peer lifecycle chaincode package` and `calculatepackageid`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheDir, fabricBinDir, fabricOfflineCliTimeoutMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';

const run = promisify(execFile);

/** The path of a Fabric binary (`peer`, `orderer`, ...); throws `export` if setup has not built it. */
export function fabricBinary(name: string): string {
  const file = path.join(fabricBinDir, name);
  if (!existsSync(file)) {
    throw new StudioError(
      ErrorCode.Export,
      `The Fabric binary ${file} is missing: run \`npm run setup\`, or set STUDIO_FABRIC_BIN to a folder holding it.`,
    );
  }
  return file;
}

/**
 * The peer CLI refuses to start without a core.yaml in FABRIC_CFG_PATH, even
 * for offline commands, which read nothing from it: an empty one will do.
 */
async function offlineConfigDir(): Promise<string> {
  const dir = path.join(cacheDir, 'fabric', 'offline-cli-config');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'core.yaml'), '');
  return dir;
}

/** Runs an offline `peer <args>` and returns its standard output; throws `export` with its standard error on failure. */
export async function runPeerOffline(args: readonly string[], extraEnv: Readonly<Record<string, string>> = {}): Promise<string> {
  const peer = fabricBinary('peer');
  const env = { ...process.env, ...extraEnv, FABRIC_CFG_PATH: await offlineConfigDir() };
  try {
    const { stdout } = await run(peer, [...args], { env, timeout: fabricOfflineCliTimeoutMs });
    return stdout;
  } catch (err) {
    const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr).trim() : '';
    throw new StudioError(ErrorCode.Export, `peer ${args.join(' ')} failed: ${stderr || String(err)}`, { cause: err });
  }
}

/** What `peer lifecycle chaincode calculatepackageid <file>` prints for a package file. */
export async function peerCalculatePackageId(packageFile: string): Promise<string> {
  return (await runPeerOffline(['lifecycle', 'chaincode', 'calculatepackageid', packageFile])).trim();
}

/** Writes `outputFile` with `peer lifecycle chaincode package --lang node`, as an operator would. */
export async function peerPackageNode(options: {
  readonly dir: string;
  readonly label: string;
  readonly outputFile: string;
}): Promise<void> {
  await runPeerOffline(['lifecycle', 'chaincode', 'package', options.outputFile, '--lang', 'node', '--path', options.dir, '--label', options.label]);
}
