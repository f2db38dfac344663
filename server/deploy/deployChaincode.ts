/**
 * Deploys a chaincode package to a running Fabric network as one
 * organization's admin, the way an operator does with the peer CLI:
 * install → approveformyorg → checkcommitreadiness → commit → querycommitted.
 * Each step's outcome is reported as it ends; a failure names its step and
 * carries the peer's own message (StudioError `export`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeployFailedData } from '../../protocol/errorData.ts';
import { DeployStepName, type DeployStepInfo } from '../../protocol/messages.ts';
import { chaincodeNamePattern, chaincodeVersionPattern, type FabricConnection } from '../../protocol/fabric.ts';
import { deployStepTimeoutMs, peerCliConnectTimeoutMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { packageId as computePackageId } from '../export/chaincodePackage.ts';
import { readTarGz } from '../export/tarReader.ts';
import { openPeerCli, PeerCliError, type PeerCliOutput } from '../fabric/peerCli.ts';
import { installedPackageId, isAlreadyInstalled, parseJsonOutput, peerErrorMessage } from '../fabric/peerCliOutput.ts';

/** The steps, in order, named for the peer CLI commands. */
export const deploySteps = DeployStepName.options;
export type { DeployStepName };

/** The outcome of one step, as the protocol reports it. */
export type DeployStep = Readonly<DeployStepInfo>;

/** The definition to approve and commit. */
export interface ChaincodeDefinitionInput {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
}

/** Options of {@link deployChaincode}. */
export interface DeployOptions {
  readonly connection: FabricConnection;
  readonly chaincode: ChaincodeDefinitionInput;
  /** The package file's bytes (`.tar.gz`, as `peer lifecycle chaincode install` takes it). */
  readonly package: Uint8Array;
  /** How long the CLI waits to connect; defaults to `peerCliConnectTimeoutMs`. */
  readonly connectTimeoutMs?: number;
  /** Called when a step starts (`ok` undefined) and when it ends. */
  readonly onStep?: (step: DeployStepName, event: { readonly ok?: boolean; readonly message: string }) => void;
}

/** What a deployment did. */
export interface DeployResult {
  readonly packageId: string;
  readonly steps: readonly DeployStep[];
  /** The definition as the channel holds it after the commit. */
  readonly committed: { readonly sequence: number; readonly version: string; readonly approvals: Readonly<Record<string, boolean>> };
}

/** Runs the five steps; throws `export` naming the first step that failed. */
export async function deployChaincode(options: DeployOptions): Promise<DeployResult> {
  const { chaincode, connection } = options;
  checkDefinition(chaincode);
  const label = await packageLabel(options.package);
  const expectedId = computePackageId(label, options.package);
  const steps: DeployStep[] = [];
  const connectTimeoutMs = options.connectTimeoutMs ?? peerCliConnectTimeoutMs;
  const definition = ['--channelID', connection.channel, '--name', chaincode.name, '--version', chaincode.version, '--sequence', String(chaincode.sequence)];

  async function step<T>(name: DeployStepName, action: () => Promise<{ value: T; message: string }>): Promise<T> {
    options.onStep?.(name, { message: `Running ${name}` });
    const started = performance.now();
    const durationMs = () => Math.round(performance.now() - started);
    try {
      const { value, message } = await action();
      steps.push({ step: name, ok: true, message, durationMs: durationMs() });
      options.onStep?.(name, { ok: true, message });
      return value;
    } catch (err) {
      const output = err instanceof PeerCliError ? `${err.output.stderr}\n${err.output.stdout}` : '';
      const unreachable = unreachableNode(output);
      if (unreachable !== undefined) {
        // A refused port answers at once, a silent one only at the connect timeout: wait that long in both cases.
        await sleep(Math.max(0, started + connectTimeoutMs - performance.now()));
      }
      const message =
        unreachable !== undefined
          ? unreachableMessage(unreachable)
          : err instanceof PeerCliError
            ? peerErrorMessage(output) || err.message
            : err instanceof Error
              ? err.message
              : String(err);
      steps.push({ step: name, ok: false, message, durationMs: durationMs() });
      options.onStep?.(name, { ok: false, message });
      // The cause of an unreachable node would say whether its port was open: it stays on the server.
      const data: DeployFailedData = { step: name, steps: [...steps] };
      throw new StudioError(ErrorCode.Export, `Deploy step ${name} failed: ${message}`, unreachable !== undefined ? { data } : { cause: err, data });
    }
  }

  const cli = await openPeerCli(connection, { connectTimeoutMs });
  try {
    const run = (args: readonly string[]): Promise<PeerCliOutput> => cli.run(args, { timeoutMs: deployStepTimeoutMs });
    const packageFile = await cli.writeFile(`${label}.tar.gz`, options.package);

    const packageId = await step('install', async () => {
      let output: string;
      try {
        const result = await run(['lifecycle', 'chaincode', 'install', packageFile]);
        output = `${result.stderr}\n${result.stdout}`;
      } catch (err) {
        if (!(err instanceof PeerCliError) || !isAlreadyInstalled(err.output.stderr)) throw err;
        output = err.output.stderr;
      }
      const id = installedPackageId(output);
      if (id === undefined) throw new Error(`the peer did not say which package ID it installed: ${peerErrorMessage(output)}`);
      if (id !== expectedId) throw new Error(`the peer installed ${id}, but the package's ID is ${expectedId}`);
      return { value: id, message: isAlreadyInstalled(output) ? `Already installed as ${id}` : `Installed as ${id}` };
    });

    await step('approveformyorg', async () => {
      await run(['lifecycle', 'chaincode', 'approveformyorg', ...cli.ordererFlags, ...definition, '--package-id', packageId, '--waitForEvent']);
      return { value: undefined, message: `${connection.admin.mspId} approved ${chaincode.name} ${chaincode.version} (sequence ${chaincode.sequence})` };
    });

    await step('checkcommitreadiness', async () => {
      const { stdout } = await run(['lifecycle', 'chaincode', 'checkcommitreadiness', ...definition, '--output', 'json']);
      const approvals = approvalsOf(parseJsonOutput(stdout));
      if (approvals === undefined) throw new Error(`unexpected checkcommitreadiness output: ${stdout.slice(0, 500)}`);
      const missing = Object.entries(approvals).filter(([, approved]) => !approved).map(([org]) => org);
      if (missing.length > 0) throw new Error(`not approved yet by ${missing.join(', ')}; each of them must approve the same definition before it can be committed`);
      return { value: approvals, message: `Approved by ${Object.keys(approvals).join(', ')}` };
    });

    await step('commit', async () => {
      await run(['lifecycle', 'chaincode', 'commit', ...cli.ordererFlags, ...definition, '--waitForEvent']);
      return { value: undefined, message: `Committed ${chaincode.name} on channel ${connection.channel}` };
    });

    const committed = await step('querycommitted', async () => {
      const { stdout } = await run(['lifecycle', 'chaincode', 'querycommitted', '--channelID', connection.channel, '--name', chaincode.name, '--output', 'json']);
      const parsed = parseJsonOutput(stdout) as { sequence?: unknown; version?: unknown } | undefined;
      const approvals = approvalsOf(parsed);
      if (typeof parsed?.sequence !== 'number' || typeof parsed.version !== 'string' || approvals === undefined) {
        throw new Error(`unexpected querycommitted output: ${stdout.slice(0, 500)}`);
      }
      if (parsed.sequence !== chaincode.sequence || parsed.version !== chaincode.version) {
        throw new Error(`the channel holds version ${parsed.version} sequence ${parsed.sequence}, not the ${chaincode.version} sequence ${chaincode.sequence} just committed`);
      }
      return {
        value: { sequence: parsed.sequence, version: parsed.version, approvals },
        message: `${chaincode.name} version ${parsed.version}, sequence ${parsed.sequence} is committed on ${connection.channel}`,
      };
    });

    return { packageId, steps, committed };
  } finally {
    await cli.dispose();
  }
}

function checkDefinition(chaincode: ChaincodeDefinitionInput): void {
  if (!chaincodeNamePattern.test(chaincode.name)) {
    throw new StudioError(ErrorCode.Export, `Invalid chaincode name "${chaincode.name}": Fabric allows letters and digits, joined by single - or _.`);
  }
  if (!chaincodeVersionPattern.test(chaincode.version)) {
    throw new StudioError(ErrorCode.Export, `Invalid chaincode version "${chaincode.version}": use letters, digits and _ . + -.`);
  }
  if (!Number.isInteger(chaincode.sequence) || chaincode.sequence < 1) {
    throw new StudioError(ErrorCode.Export, `Invalid sequence ${chaincode.sequence}: a definition's sequence is a whole number from 1.`);
  }
}

/** The label in the package's metadata.json; throws `export` if the bytes are not a chaincode package. */
async function packageLabel(bytes: Uint8Array): Promise<string> {
  let label: unknown;
  try {
    const metadata = (await readTarGz(bytes)).find((entry) => entry.header.name === 'metadata.json');
    label = metadata ? (JSON.parse(metadata.content.toString('utf8')) as { label?: unknown }).label : undefined;
  } catch (err) {
    throw new StudioError(ErrorCode.Export, 'The file to deploy is not a chaincode package (a .tar.gz with metadata.json and code.tar.gz).', { cause: err });
  }
  if (typeof label !== 'string' || label === '') {
    throw new StudioError(ErrorCode.Export, 'The chaincode package has no label in its metadata.json.');
  }
  return label;
}

/**
 * Which node the CLI could not connect to, if that is why it failed: refused,
 * timed out, no route, or a TLS handshake that failed. All of them are told
 * the same way so a deploy cannot serve as a port scanner.
 */
function unreachableNode(output: string): 'peer' | 'orderer' | undefined {
  if (!/failed to connect to|failed to create new connection|error while dialing|connection refused|TLS handshake/i.test(output)) {
    return undefined;
  }
  return /orderer client|deliver client for orderer|broadcast client/i.test(output) ? 'orderer' : 'peer';
}

function unreachableMessage(node: 'peer' | 'orderer'): string {
  return `could not connect to the ${node} over TLS. Check its endpoint, that this server can reach it, and its TLS CA certificate and host name.`;
}

function approvalsOf(parsed: unknown): Record<string, boolean> | undefined {
  if (typeof parsed !== 'object' || parsed === null || !('approvals' in parsed)) return undefined;
  const approvals = parsed.approvals;
  if (typeof approvals !== 'object' || approvals === null) return undefined;
  return Object.fromEntries(Object.entries(approvals).map(([org, approved]) => [org, approved === true]));
}

