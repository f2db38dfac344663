// The sandbox agent: the container's main process. It brings up the Fabric
// network (orderer, dev-mode peer, channel), runs the user's chaincode, and
// answers the Chaincode Studio server on a token-checked HTTP port. With
// STUDIO_MODE=production the peer is a production one over TLS that runs only
// what is deployed to it (see fabric.mjs), and the agent runs no chaincode.
import { timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ChaincodeProcess, inspectorPort } from './chaincode.mjs';
import {
  channel,
  ensureChannel,
  generateArtifacts,
  mode,
  mspId,
  ordererEnv,
  ordererHostname,
  peerEnv,
  peerHostname,
  run,
  waitForPort,
} from './fabric.mjs';
import { defineChaincode, isValidLabel, readState } from './lifecycle.mjs';
import { LimitWatch } from './limits.mjs';
import { LogHub } from './logs.mjs';
import * as p from './paths.mjs';
import { Supervised } from './supervisor.mjs';

const port = Number(process.env.STUDIO_AGENT_PORT ?? 7000);
const token = Buffer.from(process.env.STUDIO_AGENT_TOKEN ?? '');
delete process.env.STUDIO_AGENT_TOKEN;
if (token.length < 16) {
  console.error('STUDIO_AGENT_TOKEN must be set (16+ characters)');
  process.exit(2);
}

const logs = new LogHub();
let phase = 'starting';
let message = 'Starting the Fabric network';
let fabricVersion = null;

const publishStatus = () => logs.publish({ type: 'status', status: status() });
const orderer = new Supervised({ name: 'orderer', command: 'orderer', args: [], env: ordererEnv(), logs, onChange: publishStatus });
const peerArgs = mode === 'production' ? ['node', 'start'] : ['node', 'start', '--peer-chaincodedev=true'];
const onPeerChange = () => {
  if (!peer.running) chaincode.peerLost();
  publishStatus();
};
const peer = new Supervised({ name: 'peer', command: 'peer', args: peerArgs, env: peerEnv(), logs, onChange: onPeerChange });
const chaincode = new ChaincodeProcess({ logs, onChange: publishStatus });
const limitWatch = new LimitWatch({
  logs,
  disks: [
    { dir: p.dataDir, label: 'the sandbox disk (ledger volume)' },
    { dir: p.scratchDir, label: '/tmp' },
  ],
  chaincodePid: () => chaincode.info.pid,
});
void limitWatch.start();

function status() {
  return {
    phase,
    message,
    mode,
    fabricVersion,
    channel,
    mspId,
    orderer: { running: orderer.running, restarts: orderer.restarts },
    peer: { running: peer.running, restarts: peer.restarts },
    chaincode: chaincode.info,
  };
}

function setPhase(next, text) {
  phase = next;
  message = text;
  logs.write('sandbox', text);
  publishStatus();
}

async function bootstrap() {
  const started = Date.now();
  await fs.mkdir(p.ordererData, { recursive: true });
  await fs.mkdir(p.peerData, { recursive: true });
  fabricVersion = /Version:\s*(\S+)/.exec(await run('peer', ['version']))?.[1] ?? null;
  await generateArtifacts(logs);
  orderer.start();
  peer.start();
  await waitForPort('127.0.0.1', 7050, 30_000, () => orderer.running);
  await waitForPort('127.0.0.1', 7051, 30_000, () => peer.running);
  await ensureChannel(logs);
  setPhase('ready', `Fabric ${fabricVersion} is ready on channel ${channel} (${Date.now() - started} ms)`);
}

function authorized(req) {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  return given.length === token.length && timingSafeEqual(given, token);
}

async function readJson(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 64 * 1024) throw Object.assign(new Error('request body too large'), { status: 413 });
  }
  return body ? JSON.parse(body) : {};
}

async function firstFile(dir) {
  const files = await fs.readdir(dir);
  if (files.length === 0) throw new Error(`no file in ${dir}`);
  return fs.readFile(path.join(dir, files[0]), 'utf8');
}

async function identity(msp = p.userMsp) {
  return {
    mspId,
    certificate: await firstFile(path.join(msp, 'signcerts')),
    privateKey: await firstFile(path.join(msp, 'keystore')),
  };
}

/**
 * What a deployer outside the container needs (production mode): the TLS CA
 * and certificate hostname of peer and orderer, their ports (the caller knows
 * the container's address), the channel, and the org's admin identity.
 */
async function connection() {
  if (mode !== 'production') throw Object.assign(new Error('the sandbox runs in dev mode (plaintext, no deployments); start it in production mode'), { status: 409 });
  requireReady();
  return {
    mode,
    channel,
    mspId,
    peer: { port: 7051, hostname: peerHostname, tlsRootCert: await fs.readFile(path.join(p.peerTls, 'ca.crt'), 'utf8') },
    orderer: { port: 7050, hostname: ordererHostname, tlsRootCert: await fs.readFile(path.join(p.ordererTls, 'ca.crt'), 'utf8') },
    // The peer CLI's local MSP needs the org's CA beside the admin's certificate and key.
    admin: { ...(await identity(p.adminMsp)), caCert: await firstFile(path.join(p.adminMsp, 'cacerts')) },
    user: await identity(p.userMsp),
  };
}

function requireDevMode() {
  if (mode !== 'dev') {
    throw Object.assign(new Error('the sandbox runs in production mode: the peer runs only chaincode deployed to it with the peer CLI'), { status: 409 });
  }
}

function requireReady() {
  if (phase !== 'ready') throw Object.assign(new Error(`the sandbox is not ready: ${message}`), { status: 409 });
}

function checkName(name) {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,49}$/.test(name) || !isValidLabel(`${name}_studio`)) {
    throw Object.assign(new Error('a chaincode name is 1-50 lowercase letters, digits, _ or -'), { status: 400 });
  }
}

const routes = {
  'GET /status': async () => status(),
  'GET /identity': async () => identity(),
  'GET /connection': async () => connection(),
  'GET /logs': async () => ({ lines: logs.history() }),
  'GET /definitions': async () => (await readState()).definitions,
  'POST /chaincode/define': async (body) => {
    requireDevMode();
    requireReady();
    checkName(body.name);
    return defineChaincode(body.name, logs);
  },
  'POST /chaincode/start': async (body) => {
    requireDevMode();
    requireReady();
    checkName(body.name);
    const definition = await defineChaincode(body.name, logs);
    return chaincode.start(definition, { debug: body.debug !== false });
  },
  'POST /chaincode/stop': async () => {
    await chaincode.stop();
    return chaincode.info;
  },
};

function streamEvents(req, res) {
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
  const send = (event) => {
    // A reader that does not keep up loses lines rather than growing our memory.
    if (res.writableLength > 4 * 1024 * 1024) return;
    res.write(`${JSON.stringify(event)}\n`);
  };
  send({ type: 'status', status: status() });
  if (new URL(req.url, 'http://agent').searchParams.get('history') === '1') for (const line of logs.history()) send(line);
  const unsubscribe = logs.subscribe(send);
  const ping = setInterval(() => send({ type: 'ping' }), 15_000);
  req.on('close', () => {
    clearInterval(ping);
    unsubscribe();
  });
}

const server = http.createServer(async (req, res) => {
  if (!authorized(req)) {
    res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'missing or wrong agent token' }));
    return;
  }
  const pathname = new URL(req.url, 'http://agent').pathname;
  if (req.method === 'GET' && pathname === '/events') {
    streamEvents(req, res);
    return;
  }
  const route = routes[`${req.method} ${pathname}`];
  if (!route) {
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `no route ${req.method} ${pathname}` }));
    return;
  }
  try {
    const result = await route(req.method === 'POST' ? await readJson(req) : {});
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result));
  } catch (err) {
    res.writeHead(err.status ?? 500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: err.message }));
  }
});

server.on('upgrade', async (req, socket, head) => {
  if (!authorized(req) || new URL(req.url, 'http://agent').pathname !== '/inspector') {
    socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
    return;
  }
  const { proxyInspector } = await import('./inspectorProxy.mjs');
  proxyInspector(req, socket, head, inspectorPort);
});

async function shutdown(signal) {
  logs.write('sandbox', `Stopping (${signal})`);
  server.close();
  await chaincode.stop();
  await peer.stop();
  await orderer.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

server.listen(port, '0.0.0.0', () => {
  logs.write('sandbox', `Agent listening on port ${port}`);
  bootstrap().catch((err) => setPhase('error', `The Fabric network failed to start: ${err.message}`));
});

// Mirror our own log to stdout so `docker logs` shows it when the server cannot.
logs.subscribe((event) => {
  if (event.type === 'log') process.stdout.write(`${event.time} [${event.source}] ${event.text}\n`);
});
