/**
 * Runs the host's `peer` CLI against a remote network as a given admin: a
 * private temporary folder holds the local MSP (certificate, key, CA), the TLS
 * CA files and a minimal core.yaml, all readable by us only, and is removed by
 * `dispose()`. The CLI is told everything else through CORE_PEER_* variables.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FabricConnection } from '../../protocol/fabric.ts';
import { fabricBinary } from './fabricCli.ts';

/** What one CLI run printed. The CLI logs its results (install's package ID) on standard error. */
export interface PeerCliOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI run that failed: its exit and what it printed. */
export class PeerCliError extends Error {
  readonly output: PeerCliOutput;
  readonly exitCode: number | null;

  constructor(message: string, output: PeerCliOutput, exitCode: number | null) {
    super(message);
    this.name = 'PeerCliError';
    this.output = output;
    this.exitCode = exitCode;
  }
}

/** The peer CLI bound to one connection; `dispose()` removes the key material. */
export interface PeerCli {
  /** Runs `peer <args>` against the connection's peer. */
  run(args: readonly string[], options: { readonly timeoutMs: number }): Promise<PeerCliOutput>;
  /** The flags that send a transaction to the connection's orderer over TLS. */
  readonly ordererFlags: readonly string[];
  /** Writes a file (e.g. the package to install) into the private folder and returns its path. */
  writeFile(name: string, content: Uint8Array): Promise<string>;
  dispose(): Promise<void>;
}

// Only what the CLI reads before it dials: the crypto provider and its connection timeout.
const coreYaml = (connectTimeoutMs: number) => `peer:
  BCCSP:
    Default: SW
    SW:
      Hash: SHA2
      Security: 256
  client:
    connTimeout: ${connectTimeoutMs}ms
`;

/** Writes the connection's MSP and TLS files to a private folder and returns a CLI bound to them. */
export async function openPeerCli(connection: FabricConnection, options: { readonly connectTimeoutMs: number }): Promise<PeerCli> {
  const peerBinary = fabricBinary('peer');
  const dir = await mkdtemp(path.join(tmpdir(), 'ccs-deploy-'));
  try {
    await chmod(dir, 0o700);
    const msp = path.join(dir, 'msp');
    const write = async (relative: string, content: string | Buffer) => {
      const file = path.join(dir, relative);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(file, content, { mode: 0o600 });
      return file;
    };
    await write('msp/signcerts/cert.pem', connection.admin.certificate);
    await write('msp/keystore/key_sk', connection.admin.privateKey);
    await write('msp/cacerts/ca.pem', connection.admin.caCert);
    // Without NodeOUs in a config.yaml, a local MSP must list its admins; the admin is the only identity here.
    await write('msp/admincerts/admin.pem', connection.admin.certificate);
    await write('core.yaml', coreYaml(options.connectTimeoutMs));
    const peerCa = await write('tls/peer-ca.pem', connection.peer.tlsRootCert);
    const ordererCa = await write('tls/orderer-ca.pem', connection.orderer.tlsRootCert);

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      FABRIC_CFG_PATH: dir,
      // Info, because that is the level at which install logs the package ID.
      FABRIC_LOGGING_SPEC: 'info',
      CORE_PEER_LOCALMSPID: connection.admin.mspId,
      CORE_PEER_MSPCONFIGPATH: msp,
      CORE_PEER_ADDRESS: connection.peer.endpoint,
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_ROOTCERT_FILE: peerCa,
      ...(connection.peer.hostname ? { CORE_PEER_TLS_SERVERHOSTOVERRIDE: connection.peer.hostname } : {}),
    };
    const ordererFlags = [
      '-o',
      connection.orderer.endpoint,
      '--tls',
      '--cafile',
      ordererCa,
      ...(connection.orderer.hostname ? ['--ordererTLSHostnameOverride', connection.orderer.hostname] : []),
    ];

    return {
      ordererFlags,
      writeFile: (name, content) => write(path.basename(name), Buffer.from(content)),
      run: (args, { timeoutMs }) =>
        new Promise((resolve, reject) => {
          execFile(peerBinary, [...args], { env, cwd: dir, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            const output = { stdout, stderr };
            if (err === null) {
              resolve(output);
              return;
            }
            const exitCode = typeof err.code === 'number' ? err.code : null;
            const why = err.killed ? `was stopped after ${timeoutMs / 1000} s` : `exited with code ${exitCode ?? err.signal ?? '?'}`;
            reject(new PeerCliError(`peer ${args.slice(0, 3).join(' ')} ${why}`, output, exitCode));
          });
        }),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
