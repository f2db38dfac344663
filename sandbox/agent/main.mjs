// @ts-check
// The sandbox agent, started by launch.mjs as the sandbox uid. It brings up
// the Fabric network (orderer, dev-mode peer, channel), runs the user's
// chaincode, and answers the Chaincode Studio server on a token-checked HTTP
// port. With STUDIO_MODE=production the peer is a production one over TLS that
// runs only what is deployed to it (see fabric.mjs), and the agent runs no
// chaincode. Replies and events follow protocol/agent.ts.
//
// The agent is JavaScript checked by tsc through JSDoc (`// @ts-check`), not
// TypeScript: the image runs these files as they are, with no build step and
// no compiler in the container, and the types still come from protocol/agent.ts.
import { readFileSync, promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ChaincodeProcess } from './chaincode.mjs';
import {
  agentPort,
  channel,
  eventPingIntervalMs,
  maxEventBacklogBytes,
  mspId,
  ordererHostname,
  ordererPort,
  peerHostname,
  peerPort,
  portWaitTimeoutMs,
  loopback,
  inspectorPort,
  tokenFd,
} from './constants.mjs';
import { ensureChannel, generateArtifacts, mode, ordererEnv, peerEnv, run, waitForPort } from './fabric.mjs';
import { ExtraOrgs } from './extraOrgs.mjs';
import { ensureNetworkChannel, generateNetworkArtifacts } from './networkBuild.mjs';
import { current, isDefaultShape, readShape, requestedShape, sameShape, setCurrent, writeShape } from './networkShape.mjs';
import { definitionShape } from './definitionOptions.mjs';
import { defineChaincode, readState, startDefining } from './lifecycle.mjs';
import { LimitWatch, readMemoryUse } from './limits.mjs';
import { LogHub } from './logs.mjs';
import * as p from './paths.mjs';
import { authorized, checkName, HttpError, parseToken, readJson } from './requests.mjs';
import { Supervised } from './supervisor.mjs';

/**
 * @typedef {import('../../protocol/agent.ts').AgentStatus} AgentStatus
 * @typedef {import('../../protocol/agent.ts').AgentEvent} AgentEvent
 * @typedef {import('../../protocol/agent.ts').AgentIdentity} AgentIdentity
 * @typedef {import('../../protocol/agent.ts').AgentConnectionReply} AgentConnectionReply
 * @typedef {import('../../protocol/agent.ts').AgentReply<import('../../protocol/agent.ts').AgentRoute>} AgentReply
 */

/** @type {Buffer} */
let token;
try {
  token = parseToken(readFileSync(tokenFd, 'utf8'));
} catch (err) {
  console.error(`The agent needs its token on file descriptor ${tokenFd} (start it with launch.mjs): ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}

// Keys, ledgers and state are the sandbox uid's alone: the chaincode runs under another uid.
process.umask(0o077);

const logs = new LogHub();
/** @type {AgentStatus['phase']} */
let phase = 'starting';
let message = 'Starting the Fabric network';
/** @type {string | null} */
let fabricVersion = null;

const publishStatus = () => logs.publish({ type: 'status', status: status() });
const orderer = new Supervised({ name: 'orderer', command: 'orderer', args: [], env: ordererEnv(), logs, onChange: publishStatus });
const peerArgs = mode === 'production' ? ['node', 'start'] : ['node', 'start', '--peer-chaincodedev=true'];
const onPeerChange = () => {
  if (!peer.running) chaincode.peerLost();
  publishStatus();
};
/** The first org's peer and chaincode; a network of several orgs makes them anew, tagged with the org (see reshape). */
let peer = new Supervised({ name: 'peer', command: 'peer', args: peerArgs, env: peerEnv(), logs, onChange: onPeerChange });
let chaincode = new ChaincodeProcess({ logs, onChange: publishStatus });
/** The peers and chaincode processes of the orgs after the first. */
const extraOrgs = new ExtraOrgs({ logs, onChange: publishStatus });
/** The bootstrap under way or done; a reshape waits for it. @type {Promise<void>} */
let booted = Promise.resolve();
const limitWatch = new LimitWatch({
  logs,
  disks: [
    { dir: p.dataDir, label: 'the ledger disk' },
    { dir: p.scratchDir, label: '/tmp' },
  ],
  chaincodePid: () => chaincode.info.pid,
});
void limitWatch.start();

/** @returns {AgentStatus} */
function status() {
  return {
    phase,
    message,
    mode,
    fabricVersion,
    channel: current.shape.channel,
    mspId: current.shape.orgs[0] ?? mspId,
    orderer: { running: orderer.running, restarts: orderer.restarts },
    peer: { running: peer.running, restarts: peer.restarts },
    chaincode: chaincode.info,
    ...(isDefaultShape(current.shape)
      ? {}
      : {
          orgs: current.nodes.map((node, i) => {
            const extra = extraOrgs.orgs[i - 1];
            const own = i === 0 ? { peer, chaincode } : extra ?? { peer: undefined, chaincode: undefined };
            return {
              mspId: node.mspId,
              peerPort: node.peerPort,
              peerHostname: node.peerHostname,
              peer: { running: own.peer?.running ?? false, restarts: own.peer?.restarts ?? 0 },
              chaincode: own.chaincode?.info ?? { phase: 'stopped', pid: null },
            };
          }),
        }),
  };
}

/**
 * @param {AgentStatus['phase']} next
 * @param {string} text
 */
function setPhase(next, text) {
  phase = next;
  message = text;
  logs.write('sandbox', text);
  publishStatus();
}

async function bootstrap() {
  const started = Date.now();
  const shape = await readShape();
  if (!isDefaultShape(shape)) {
    if (mode !== 'dev') throw new Error('a network of several orgs, a renamed org or another channel runs in dev mode only');
    adoptShape(shape);
  }
  await fs.mkdir(p.ordererData, { recursive: true });
  await fs.mkdir(p.peerData, { recursive: true });
  fabricVersion = /Version:\s*(\S+)/.exec(await run('peer', ['version']))?.[1] ?? null;
  if (isDefaultShape(shape)) await generateArtifacts(logs);
  else await generateNetworkArtifacts(logs, current.nodes);
  orderer.start();
  peer.start();
  const others = extraOrgs.startPeers(current.nodes.slice(1));
  await waitForPort(loopback, ordererPort, portWaitTimeoutMs, () => orderer.running);
  await waitForPort(loopback, current.nodes[0]?.peerPort ?? peerPort, portWaitTimeoutMs, () => peer.running);
  await others;
  if (isDefaultShape(shape)) await ensureChannel(logs);
  else await ensureNetworkChannel(logs, current.nodes, shape.channel);
  const orgs = current.nodes.length > 1 ? `, ${current.nodes.length} orgs (${current.shape.orgs.join(', ')})` : '';
  setPhase('ready', `Fabric ${fabricVersion} is ready on channel ${current.shape.channel}${orgs} (${Date.now() - started} ms)`);
  if (mode === 'dev') chaincode.prepareStandby();
}

/**
 * Makes `shape` the network the agent runs: the first org's peer and chaincode made for it (each
 * line tagged with the org when there are several). Only while they are stopped.
 * @param {import('./networkShape.mjs').NetworkShape} shape
 */
function adoptShape(shape) {
  setCurrent(shape);
  const first = current.nodes[0];
  if (first === undefined) throw new Error('a network needs an org');
  const orgLogs = current.nodes.length > 1 ? logs.forOrg(first.mspId) : logs;
  peer = new Supervised({ name: 'peer', command: 'peer', args: peerArgs, env: peerEnv(first), logs: orgLogs, onChange: onPeerChange });
  chaincode = new ChaincodeProcess({ logs: orgLogs, onChange: publishStatus, ...(isDefaultShape(shape) ? {} : { peer: first }) });
}

/**
 * Rebuilds the network as `shape`: every process stopped, the ledger disk emptied (keys, blocks,
 * definitions), the network made anew. Nothing of the old network is kept.
 * @param {import('./networkShape.mjs').NetworkShape} shape
 */
async function reshape(shape) {
  await booted.catch(() => undefined);
  setPhase('starting', `Rebuilding the network as ${shape.orgs.join(', ')} on channel ${shape.channel}`);
  await chaincode.close();
  await extraOrgs.close();
  await peer.stop();
  await orderer.stop();
  for (const entry of await fs.readdir(p.dataDir)) await fs.rm(path.join(p.dataDir, entry), { recursive: true, force: true });
  await writeShape(shape);
  adoptShape(shape);
  booted = bootstrap();
  await booted;
}

/** @param {string} dir */
async function firstFile(dir) {
  const [file] = await fs.readdir(dir);
  if (file === undefined) throw new Error(`no file in ${dir}`);
  return fs.readFile(path.join(dir, file), 'utf8');
}

/** @returns {Promise<AgentIdentity>} */
async function identity(msp = p.userMsp, org = current.shape.orgs[0] ?? mspId) {
  return {
    mspId: org,
    certificate: await firstFile(path.join(msp, 'signcerts')),
    privateKey: await firstFile(path.join(msp, 'keystore')),
  };
}

/**
 * What a deployer outside the container needs (production mode): the TLS CA
 * and certificate hostname of peer and orderer, their ports (the caller knows
 * the container's address), the channel, and the org's admin identity.
 * @returns {Promise<AgentConnectionReply>}
 */
async function connection() {
  if (mode !== 'production') throw new HttpError(409, 'the sandbox runs in dev mode (plaintext, no deployments); start it in production mode');
  requireReady();
  return {
    mode,
    channel,
    mspId,
    peer: { port: peerPort, hostname: peerHostname, tlsRootCert: await fs.readFile(path.join(p.peerTls, 'ca.crt'), 'utf8') },
    orderer: { port: ordererPort, hostname: ordererHostname, tlsRootCert: await fs.readFile(path.join(p.ordererTls, 'ca.crt'), 'utf8') },
    // The peer CLI's local MSP needs the org's CA beside the admin's certificate and key.
    admin: { ...(await identity(p.adminMsp)), caCert: await firstFile(path.join(p.adminMsp, 'cacerts')) },
    user: await identity(p.userMsp),
  };
}

function requireDevMode() {
  if (mode !== 'dev') throw new HttpError(409, 'the sandbox runs in production mode: the peer runs only chaincode deployed to it with the peer CLI');
}

function requireReady() {
  if (phase !== 'ready') throw new HttpError(409, `the sandbox is not ready: ${message}`);
}

/** @type {Record<string, (body: Record<string, unknown>) => Promise<AgentReply>>} */
const routes = {
  'GET /status': async () => status(),
  'GET /memory': async () => ({ usedBytes: await readMemoryUse() }),
  'GET /identity': async () => identity(),
  'GET /client-identity': async () => identity(p.clientMsp),
  'GET /connection': async () => connection(),
  'GET /logs': async () => ({ lines: logs.history() }),
  'GET /definitions': async () => (await readState()).definitions,
  'GET /network': async () => ({
    channel: current.shape.channel,
    orgs: await Promise.all(current.nodes.map(async (node) => ({ mspId: node.mspId, peerPort: node.peerPort, peerHostname: node.peerHostname, user: await identity(node.userMsp, node.mspId) }))),
  }),
  'POST /network': async (body) => {
    const shape = requestedShape(body);
    if (sameShape(shape, current.shape)) {
      await booted;
      return status();
    }
    requireDevMode();
    await reshape(shape);
    return status();
  },
  'POST /chaincode/define': async (body) => {
    requireDevMode();
    requireReady();
    return defineChaincode(checkName(body.name), logs, definitionShape(body.definition));
  },
  'POST /chaincode/start': async (body) => {
    requireDevMode();
    requireReady();
    const name = checkName(body.name);
    const { definition, packageId } = startDefining(name, logs, definitionShape(body.definition));
    // Its failure is this request's answer, also when the start fails first (never an unhandled rejection).
    const definitionFailure = definition.then(
      () => undefined,
      /** @param {unknown} err */ (err) => err,
    );
    // The process loads and registers while a new name's definition is committed.
    const debug = body.debug !== false;
    await extraOrgs.stopChaincodes();
    await chaincode.start({ name, packageId: await packageId }, { debug, waitForDebugger: body.waitForDebugger !== false });
    // Another org's endorsement needs that org's process registered with its peer before the first transaction.
    const others = extraOrgs.startChaincodes({ name, packageId: await packageId }, { debug }).then(
      () => undefined,
      /** @param {unknown} err */ (err) => err,
    );
    const othersFailure = await others;
    if (othersFailure !== undefined) {
      await chaincode.stop();
      await extraOrgs.stopChaincodes();
      throw othersFailure;
    }
    const failure = await definitionFailure;
    if (failure !== undefined) {
      await chaincode.stop();
      await extraOrgs.stopChaincodes();
      throw failure;
    }
    return chaincode.info;
  },
  'POST /chaincode/stop': async () => {
    await chaincode.stop();
    await extraOrgs.stopChaincodes();
    return chaincode.info;
  },
};

/**
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 */
function streamEvents(req, res) {
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
  /** @param {AgentEvent} event */
  const send = (event) => {
    if (res.writableLength > maxEventBacklogBytes) return;
    res.write(`${JSON.stringify(event)}\n`);
  };
  send({ type: 'status', status: status() });
  if (new URL(req.url ?? '/', 'http://agent').searchParams.get('history') === '1') for (const line of logs.history()) send(line);
  const unsubscribe = logs.subscribe(send);
  const ping = setInterval(() => send({ type: 'ping' }), eventPingIntervalMs);
  req.on('close', () => {
    clearInterval(ping);
    unsubscribe();
  });
}

/**
 * @param {http.ServerResponse} res
 * @param {number} code
 * @param {unknown} body
 */
const reply = (res, code, body) => res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

const server = http.createServer(async (req, res) => {
  if (!authorized(req.headers.authorization, token)) {
    reply(res, 401, { error: 'missing or wrong agent token' });
    return;
  }
  const pathname = new URL(req.url ?? '/', 'http://agent').pathname;
  if (req.method === 'GET' && pathname === '/events') {
    streamEvents(req, res);
    return;
  }
  const route = routes[`${req.method} ${pathname}`];
  if (!route) {
    reply(res, 404, { error: `no route ${req.method} ${pathname}` });
    return;
  }
  try {
    reply(res, 200, await route(req.method === 'POST' ? await readJson(req) : {}));
  } catch (err) {
    reply(res, err instanceof HttpError ? err.status : 500, { error: err instanceof Error ? err.message : String(err) });
  }
});

server.on('upgrade', async (req, socket, head) => {
  const upgradeUrl = new URL(req.url ?? '/', 'http://agent');
  const upgradePath = upgradeUrl.pathname;
  // `?org=Org2MSP`: that org's chaincode inspector, in a network of several orgs.
  const org = upgradeUrl.searchParams.get('org');
  const orgInspector = org === null ? inspectorPort : current.nodes.find((node) => node.mspId === org)?.inspectorPort;
  if (!authorized(req.headers.authorization, token) || (upgradePath !== '/inspector' && upgradePath !== '/dap') || orgInspector === undefined) {
    socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
    return;
  }
  if (upgradePath === '/dap') {
    const { proxyDelve } = await import('./goChaincode.mjs');
    proxyDelve(socket, head);
    return;
  }
  const { proxyInspector } = await import('./inspectorProxy.mjs');
  proxyInspector(req, socket, head, orgInspector);
});

/** @param {string} signal */
async function shutdown(signal) {
  logs.write('sandbox', `Stopping (${signal})`);
  server.close();
  await chaincode.close();
  await extraOrgs.close();
  await peer.stop();
  await orderer.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

server.listen(agentPort, '0.0.0.0', () => {
  logs.write('sandbox', `Agent listening on port ${agentPort}`);
  booted = bootstrap();
  booted.catch((err) => setPhase('error', `The Fabric network failed to start: ${err instanceof Error ? err.message : String(err)}`));
});

// Mirror our own log to stdout so `docker logs` shows it when the server cannot.
logs.subscribe((event) => {
  if (event.type === 'log') process.stdout.write(`${event.time} [${event.source}] ${event.text}\n`);
});
