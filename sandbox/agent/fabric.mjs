// @ts-check
// The Fabric network inside the sandbox: keys, genesis block, orderer, peer,
// the channel. Settings are Fabric's sampleconfig core.yaml and orderer.yaml,
// overridden by environment variables here.
//
// Two modes. `dev` (the default): the peer in dev mode, everything plaintext,
// the agent runs the chaincode. `production`: a peer as a production network
// runs it, TLS on for peer and orderer, chaincode built and launched by the
// peer's external builders (ccaas, and offline node and golang builders), deployed from
// outside with the peer CLI.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  chaincodeExecuteTimeout,
  chaincodeInstallTimeout,
  chaincodePort,
  channel,
  fabricCommandTimeoutMs,
  fabricOutputMaxChars,
  gatewayBroadcastTimeout,
  loopback,
  mspId,
  ordererAdminPort,
  ordererMspId,
  ordererOperationsPort,
  ordererPort,
  peerPort,
  portPollMs,
  gossipBurstLatency,
  gossipStateInfoInterval,
} from './constants.mjs';
import { orgNode } from './orgNodes.mjs';
import * as p from './paths.mjs';
import { withoutCapabilities } from './privileges.mjs';

/**
 * @typedef {import('./logs.mjs').LogHub} LogHub
 * @typedef {Record<string, string>} Env
 * @typedef {import('./orgNodes.mjs').OrgNode} OrgNode
 */

export const ordererAddress = `${loopback}:${ordererPort}`;
export const peerAddress = `${loopback}:${peerPort}`;
export const chaincodeAddress = `${loopback}:${chaincodePort}`;
/** @type {'dev' | 'production'} */
export const mode = process.env.STUDIO_MODE === 'production' ? 'production' : 'dev';
/** The first org's peer: the one-org sandbox's. */
export const firstOrg = orgNode(0, mspId);
const tls = mode === 'production';

/** @returns {Env} */
function baseEnv() {
  return {
    PATH: `${p.fabricBin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: p.scratchDir,
    FABRIC_CFG_PATH: p.fabricConfig,
    FABRIC_LOGGING_SPEC: process.env.STUDIO_FABRIC_LOGGING ?? 'info',
  };
}

/**
 * Log levels per module (flogging's `FABRIC_LOGGING_SPEC`): info, except the modules that write a
 * line for every gRPC call or block (or a warning for nothing wrong) and say nothing the endorser,
 * gateway and ledger lines do not.
 * STUDIO_FABRIC_LOGGING replaces the whole spec.
 * @param {string} quiet the modules kept at warning and above, `:`-separated `module=level` pairs
 */
function loggingSpec(quiet) {
  return process.env.STUDIO_FABRIC_LOGGING ?? `info:${quiet}`;
}
export const peerLoggingSpec = loggingSpec('comm.grpc.server=warning:gossip=warning:committer.txvalidator=warning');
// The broadcast handler warns each time a client closes its stream after a submit, as the Gateway
// does; the orderer's one gRPC line per submit stays, the sign that it took the transaction.
export const ordererLoggingSpec = loggingSpec('orderer.common.broadcast=error');

/** @returns {Env} */
export function ordererEnv() {
  return {
    ...baseEnv(),
    FABRIC_LOGGING_SPEC: ordererLoggingSpec,
    // In production mode a deployer outside the container sends approve and commit to the orderer.
    ORDERER_GENERAL_LISTENADDRESS: tls ? '0.0.0.0' : '127.0.0.1',
    ORDERER_GENERAL_LISTENPORT: String(ordererPort),
    ORDERER_GENERAL_BOOTSTRAPMETHOD: 'file',
    ORDERER_GENERAL_BOOTSTRAPFILE: p.genesisBlock,
    ORDERER_GENERAL_LOCALMSPID: ordererMspId,
    ORDERER_GENERAL_LOCALMSPDIR: p.ordererMsp,
    ORDERER_GENERAL_TLS_ENABLED: String(tls),
    ...(tls
      ? {
          ORDERER_GENERAL_TLS_PRIVATEKEY: path.join(p.ordererTls, 'server.key'),
          ORDERER_GENERAL_TLS_CERTIFICATE: path.join(p.ordererTls, 'server.crt'),
          ORDERER_GENERAL_TLS_ROOTCAS: `[${path.join(p.ordererTls, 'ca.crt')}]`,
        }
      : {}),
    ORDERER_FILELEDGER_LOCATION: p.ordererData,
    ORDERER_CONSENSUS_WALDIR: path.join(p.ordererData, 'etcdraft', 'wal'),
    ORDERER_CONSENSUS_SNAPDIR: path.join(p.ordererData, 'etcdraft', 'snapshot'),
    ORDERER_ADMIN_LISTENADDRESS: `${loopback}:${ordererAdminPort}`,
    ORDERER_OPERATIONS_LISTENADDRESS: `${loopback}:${ordererOperationsPort}`,
    ORDERER_METRICS_PROVIDER: 'disabled',
  };
}

/**
 * The peer of `node` (the first org's by default). Each peer's gossip bootstraps from itself and
 * leads its org; the other orgs' peers are found through the channel's anchor peers.
 * @param {OrgNode} [node]
 * @returns {Env}
 */
export function peerEnv(node = firstOrg) {
  const own = node.peerAddress;
  return {
    ...baseEnv(),
    FABRIC_LOGGING_SPEC: peerLoggingSpec,
    CORE_PEER_ID: node.peerHostname,
    CORE_PEER_NETWORKID: 'studio',
    // The server reaches the peer over the sandbox's private bridge; nothing else can.
    CORE_PEER_LISTENADDRESS: `0.0.0.0:${node.peerPort}`,
    CORE_PEER_ADDRESS: own,
    CORE_PEER_CHAINCODELISTENADDRESS: node.chaincodeAddress,
    CORE_PEER_CHAINCODEADDRESS: node.chaincodeAddress,
    CORE_PEER_GOSSIP_EXTERNALENDPOINT: own,
    CORE_PEER_GOSSIP_BOOTSTRAP: own,
    CORE_PEER_GOSSIP_USELEADERELECTION: 'false',
    CORE_PEER_GOSSIP_ORGLEADER: 'true',
    CORE_PEER_GOSSIP_MAXPROPAGATIONBURSTLATENCY: gossipBurstLatency,
    CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL: gossipStateInfoInterval,
    CORE_PEER_LOCALMSPID: node.mspId,
    CORE_PEER_MSPCONFIGPATH: node.peerMsp,
    CORE_PEER_TLS_ENABLED: String(tls),
    ...(tls
      ? {
          CORE_PEER_TLS_CERT_FILE: path.join(node.peerTls, 'server.crt'),
          CORE_PEER_TLS_KEY_FILE: path.join(node.peerTls, 'server.key'),
          CORE_PEER_TLS_ROOTCERT_FILE: path.join(node.peerTls, 'ca.crt'),
          // No Docker here: packages are built by these builders, or not at all.
          CORE_CHAINCODE_EXTERNALBUILDERS: JSON.stringify([
            { name: 'ccaas_builder', path: p.ccaasBuilder, propagateEnvironment: ['CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG'] },
            { name: 'studio_node_builder', path: p.nodeBuilder, propagateEnvironment: ['STUDIO_CHAINCODE_RUNTIME', 'STUDIO_CHAINCODE_HEAP_MB'] },
            { name: 'studio_golang_builder', path: p.golangBuilder, propagateEnvironment: ['STUDIO_GOROOT', 'STUDIO_GO_CACHE'] },
          ]),
        }
      : {}),
    CORE_PEER_FILESYSTEMPATH: node.peerData,
    CORE_LEDGER_SNAPSHOTS_ROOTDIR: path.join(node.peerData, 'snapshots'),
    CORE_LEDGER_STATE_STATEDATABASE: 'goleveldb',
    CORE_OPERATIONS_LISTENADDRESS: `${loopback}:${node.operationsPort}`,
    CORE_METRICS_PROVIDER: 'disabled',
    CORE_VM_ENDPOINT: '',
    CORE_CHAINCODE_EXECUTETIMEOUT: chaincodeExecuteTimeout,
    CORE_CHAINCODE_INSTALLTIMEOUT: chaincodeInstallTimeout,
    CORE_PEER_GATEWAY_ENDORSEMENTTIMEOUT: chaincodeExecuteTimeout,
    CORE_PEER_GATEWAY_BROADCASTTIMEOUT: gatewayBroadcastTimeout,
    CORE_PEER_DELIVERYCLIENT_BLOCKGOSSIPENABLED: 'false',
  };
}

/**
 * Environment for the peer CLI acting as the admin of `node`'s org (the first org's by default).
 * @param {OrgNode} [node]
 * @returns {Env}
 */
export function adminCliEnv(node = firstOrg) {
  return {
    ...baseEnv(),
    CORE_PEER_LOCALMSPID: node.mspId,
    CORE_PEER_MSPCONFIGPATH: node.adminMsp,
    CORE_PEER_ADDRESS: node.peerAddress,
    CORE_PEER_TLS_ENABLED: String(tls),
    ...(tls ? { CORE_PEER_TLS_ROOTCERT_FILE: path.join(node.peerTls, 'ca.crt') } : {}),
    FABRIC_LOGGING_SPEC: 'warning',
  };
}

/** The orderer flags of a peer CLI command that talks to the orderer. */
export function ordererFlags() {
  return ['-o', ordererAddress, ...(tls ? ['--tls', '--cafile', path.join(p.ordererTls, 'ca.crt')] : [])];
}

/**
 * Runs a Fabric command to completion (with no capabilities); rejects with its output on failure.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: Env, cwd?: string, logs?: LogHub, timeoutMs?: number }} [options]
 * @returns {Promise<string>} what it wrote to stdout and stderr
 */
export function run(command, args, { env, cwd, logs, timeoutMs = fabricCommandTimeoutMs } = {}) {
  return new Promise((resolve, reject) => {
    const unprivileged = withoutCapabilities(path.join(p.fabricBin, command), args);
    const child = spawn(unprivileged.command, unprivileged.args, { env: env ?? baseEnv(), cwd: cwd ?? p.scratchDir });
    let out = '';
    /** @param {Buffer} chunk */
    const collect = (chunk) => {
      out += chunk;
      if (out.length > fabricOutputMaxChars) out = out.slice(-fabricOutputMaxChars / 2);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve(out);
        return;
      }
      logs?.write('sandbox', `${command} ${args.join(' ')} failed: ${out.trim()}`);
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`${command} ${args[0] ?? ''} ${args[1] ?? ''} ${why}: ${out.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

/** @param {string} file */
export async function exists(file) {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates this sandbox's own keys and genesis block, once.
 * @param {LogHub} logs
 */
export async function generateArtifacts(logs) {
  if (!(await exists(path.join(p.cryptoDir, 'peerOrganizations')))) {
    logs.write('sandbox', 'Generating fresh keys for this sandbox (cryptogen)');
    await run('cryptogen', ['generate', `--config=${path.join(p.studioConfig, 'crypto-config.yaml')}`, `--output=${p.cryptoDir}`], { logs });
    // The Gateway dials the orderer with TLS whenever the orderer org lists TLS
    // CA certs; in dev mode everything is plaintext (dev mode needs it), so
    // the channel config must list none. Production mode keeps them.
    if (!tls) await fs.rm(path.join(p.cryptoDir, 'ordererOrganizations', 'example.com', 'msp', 'tlscacerts'), { recursive: true, force: true });
  } else if (!(await exists(p.clientMsp))) {
    // Keys made by an older image lack the client user: the org's own CA issues it now.
    logs.write('sandbox', 'Issuing the client identity for this sandbox (cryptogen extend)');
    await run('cryptogen', ['extend', `--config=${path.join(p.studioConfig, 'crypto-config.yaml')}`, `--input=${p.cryptoDir}`], { logs });
    if (!tls) await fs.rm(path.join(p.cryptoDir, 'ordererOrganizations', 'example.com', 'msp', 'tlscacerts'), { recursive: true, force: true });
  }
  await fs.mkdir(p.configCopyDir, { recursive: true });
  await fs.copyFile(path.join(p.studioConfig, 'configtx.yaml'), path.join(p.configCopyDir, 'configtx.yaml'));
  if (!(await exists(p.genesisBlock))) {
    logs.write('sandbox', 'Creating the orderer genesis block (configtxgen)');
    await run('configtxgen', ['-profile', 'StudioGenesis', '-channelID', 'system-channel', '-outputBlock', p.genesisBlock, '-configPath', p.configCopyDir], { logs });
  }
}

/**
 * Resolves once something listens on host:port, or rejects after timeoutMs.
 * @param {string} host
 * @param {number} port
 * @param {number} timeoutMs
 * @param {() => boolean} [isAlive] whether the process that should listen still runs
 * @returns {Promise<void>}
 */
export function waitForPort(host, port, timeoutMs, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (!isAlive()) reject(new Error(`the process behind ${host}:${port} exited`));
        else if (Date.now() > deadline) reject(new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, portPollMs);
      });
    };
    attempt();
  });
}

/**
 * Creates the application channel and joins the peer, once.
 * @param {LogHub} logs
 */
export async function ensureChannel(logs) {
  const block = path.join(p.dataDir, `${channel}.block`);
  const env = adminCliEnv();
  const list = await run('peer', ['channel', 'list'], { env, logs });
  if (list.split('\n').some((line) => line.trim() === channel)) return;
  if (!(await exists(block))) {
    logs.write('sandbox', `Creating channel ${channel}`);
    const tx = path.join(p.dataDir, `${channel}.tx`);
    await run('configtxgen', ['-profile', 'StudioChannel', '-channelID', channel, '-outputCreateChannelTx', tx, '-configPath', p.configCopyDir], { logs });
    await run('peer', ['channel', 'create', ...ordererFlags(), '-c', channel, '-f', tx, '--outputBlock', block], { env, logs });
  }
  logs.write('sandbox', `Joining the peer to channel ${channel}`);
  await run('peer', ['channel', 'join', '-b', block], { env, logs });
}
