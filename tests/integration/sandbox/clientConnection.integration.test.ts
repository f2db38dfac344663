/**
 * "Connect a client" against a real sandbox: a separate Node program using
 * `@hyperledger/fabric-gateway`, given only what the view gives (the
 * connection profile, the client certificate and key, the chaincode name),
 * submits and evaluates on the sandbox's peer through the Gateway endpoint the
 * server forwards. The identity is issued by the sandbox's CA and is neither
 * the admin's nor the IDE's own; the endpoint reaches the peer's Gateway and
 * nothing else (not the agent), and no container port is published.
 */
import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentStatus } from '../../../protocol/agent.ts';
import { clientConnectionPath, type ClientConnection, type ClientConnectionFile } from '../../../protocol/clientConnection.ts';
import type { Reply } from '../../../protocol/messages.ts';
import { createApp, type App } from '../../../server/app.ts';
import { agentPort } from '../../../server/config.ts';
import { createStudioServer, type StudioServer } from '../../../server/http/studioServer.ts';
import { createTokenAuthority } from '../../../server/http/tokenScope.ts';
import { createDocker } from '../../../server/sandbox/docker.ts';
import { releaseDisksUnder } from '../../../server/sandbox/ledgerDisk.ts';
import { workspaceGeneration } from '../../../server/workspace/workspaceGeneration.ts';
import { createHub } from '../../../server/ws/hub.ts';
import { capturingLog, TestClient } from '../../kit/studioHarness.ts';

const exec = promisify(execFile);
const docker = createDocker();
const instance = `ccs-client-${randomBytes(3).toString('hex')}`;
const workspace = 'whoami';
const fixtureDir = path.join(import.meta.dirname, '..', '..', 'fixtures', 'whoami-chaincode');
const clientProgram = path.join(import.meta.dirname, '..', '..', 'fixtures', 'gateway-client', 'client.mjs');
const mainToken = `client-main-${randomBytes(16).toString('hex')}`;

let dataDir: string;
let filesDir: string;
let app: App;
let server: StudioServer;
let workspaceToken: string;
const clients: TestClient[] = [];

function resultOf<T>(reply: Reply): T {
  if ('error' in reply) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
}

async function connect(token: string): Promise<TestClient> {
  const client = await TestClient.open(`ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(token)}`, { origin: `http://127.0.0.1:${server.port}` });
  clients.push(client);
  return client;
}

/** Downloads one file of the client connection with `token` and keeps it in filesDir. */
async function download(file: ClientConnectionFile, token = workspaceToken): Promise<{ path: string; text: string }> {
  const res = await fetch(`${server.url}${clientConnectionPath(workspace, file)}?token=${encodeURIComponent(token)}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${file}: HTTP ${res.status} ${text}`);
  const saved = path.join(filesDir, file);
  await fs.writeFile(saved, text, { mode: 0o600 });
  return { path: saved, text };
}

interface ClientRun {
  endpoint: string;
  mspId: string;
  channel: string;
  results: { call: string; result?: string; error?: string }[];
}

/** Runs the separate client program with only the downloaded files and the chaincode name. */
async function runClient(chaincodeName: string, ...calls: string[]): Promise<ClientRun> {
  const profile = path.join(filesDir, 'connection-profile.json');
  const { stdout } = await exec(process.execPath, [clientProgram, profile, path.join(filesDir, 'client-cert.pem'), path.join(filesDir, 'client-key.pem'), chaincodeName, ...calls], {
    cwd: filesDir,
    env: { PATH: process.env.PATH ?? '' },
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ClientRun;
}

/** The org admin's certificate and key, read from the sandbox's ledger disk as the host mounts it. */
async function adminMaterial(): Promise<{ certificate: string; privateKey: string; caCert: string }> {
  const msp = path.join(dataDir, 'disks', `${instance}-${workspace}-data`, 'crypto', 'peerOrganizations', 'org1.example.com', 'users', 'Admin@org1.example.com', 'msp');
  const first = async (dir: string) => fs.readFile(path.join(msp, dir, (await fs.readdir(path.join(msp, dir)))[0] ?? ''), 'utf8');
  return { certificate: await first('signcerts'), privateKey: await first('keystore'), caCert: await first('cacerts') };
}

/** An HTTP/1.1 GET with the agent's token; resolves with the reply or the error that ended it. */
function agentStyleGet(host: string, port: number, token: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/status', headers: { Authorization: `Bearer ${token}` }, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ error: err.message }));
  });
}

/** Whether `body` is an agent status reply. */
function isAgentStatus(body: string | undefined): boolean {
  try {
    return AgentStatus.safeParse(JSON.parse(body ?? '')).success;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-client-'));
  filesDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-client-files-'));
  const tokens = createTokenAuthority({ mainToken, generationOf: (w) => workspaceGeneration(dataDir, w), workspaceTokenTtlMs: 60 * 60_000 });
  const hub = createHub();
  app = createApp({ dataDir, docker, hub: () => hub, tokens, instance, idleStopMs: 0 });
  server = await createStudioServer({
    host: '127.0.0.1',
    port: 0,
    token: mainToken,
    tokens,
    staticDir: '/nonexistent',
    handlers: app.handlers,
    hub,
    clientConnectionFiles: app.clientConnectionFiles,
    log: capturingLog(),
  });
  const admin = await connect(mainToken);
  const files = await Promise.all(['package.json', 'index.js'].map(async (name) => ({ path: name, text: await fs.readFile(path.join(fixtureDir, name), 'utf8') })));
  resultOf(await admin.request('workspace/import', { name: workspace, files }));
  const opened = resultOf<{ workspaceToken?: string }>(await admin.request('workspace/open', { workspace }));
  if (!opened.workspaceToken) throw new Error('workspace/open returned no workspace token');
  workspaceToken = opened.workspaceToken;
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await server?.close();
  await (await app?.session(workspace))?.destroy().catch(() => undefined);
  await app?.close();
  await releaseDisksUnder(dataDir);
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.rm(filesDir, { recursive: true, force: true });
  const left = await docker.listContainers({ all: true, filters: { name: [`${instance}-`] } });
  expect(left).toEqual([]);
});

it('says to press Run while no sandbox runs, and hands out no key', async () => {
  const client = await connect(workspaceToken);
  const reply = await client.request('client/connection', { workspace });
  expect('error' in reply && reply.error).toMatchObject({ code: 'sandbox_not_ready', message: expect.stringMatching(/press Run/) });
  const res = await fetch(`${server.url}${clientConnectionPath(workspace, 'client-key.pem')}?token=${encodeURIComponent(workspaceToken)}`);
  expect(res.status).toBe(409);
  expect(await res.text()).not.toMatch(/PRIVATE KEY/);
});

describe('with the sandbox running', () => {
  let connection: ClientConnection;

  beforeAll(async () => {
    const run = await (await app.session(workspace)).run();
    if (!run.ok) throw new Error(`Run failed: ${JSON.stringify(run.diagnostics)}`);
    const client = await connect(workspaceToken);
    connection = resultOf<ClientConnection>(await client.request('client/connection', { workspace }, { timeoutMs: 30_000 }));
    for (const file of ['connection-profile.json', 'client-cert.pem', 'client-key.pem'] as const) await download(file);
  });

  it('gives a loopback plaintext Gateway endpoint, the channel, the chaincode and the MSP ID, and a profile that says the same', async () => {
    expect(connection).toMatchObject({ workspace, host: '127.0.0.1', plaintext: true, channel: 'studio', chaincodeName: 'whoami', mspId: 'Org1MSP' });
    expect(connection.endpoint).toBe(`127.0.0.1:${connection.port}`);
    const profile = JSON.parse(await fs.readFile(path.join(filesDir, 'connection-profile.json'), 'utf8')) as {
      client: { organization: string };
      organizations: Record<string, { mspid: string; peers: string[] }>;
      peers: Record<string, { url: string }>;
      channels: Record<string, unknown>;
    };
    const org = profile.organizations[profile.client.organization];
    expect(org?.mspid).toBe(connection.mspId);
    expect(profile.peers[org?.peers[0] ?? '']?.url).toBe(`grpc://${connection.endpoint}`);
    expect(Object.keys(profile.channels)).toEqual([connection.channel]);
    expect(await fs.readFile(path.join(filesDir, 'client-cert.pem'), 'utf8')).toBe(connection.identity.certificate);
  });

  it('lets a separate Node program submit and evaluate with only those details', async () => {
    const run = await runClient(connection.chaincodeName, 'submit:Put:colour:blue', 'evaluate:Get:colour', 'evaluate:Creator');
    expect(run).toMatchObject({ endpoint: connection.endpoint, mspId: 'Org1MSP', channel: 'studio' });
    expect(run.results.map((r) => r.error ?? r.result).slice(0, 2)).toEqual(['blue', 'blue']);
    const creator = JSON.parse(run.results[2]?.result ?? '{}') as { mspId?: string; id?: string };
    expect(creator.mspId).toBe('Org1MSP');
    expect(creator.id).toContain(`CN=${connection.identity.commonName}`);
    // The same ledger the IDE sees.
    const fromIde = await (await app.session(workspace)).invoke({ workspace, mode: 'evaluate', contract: '', fn: 'Get', args: ['colour'] });
    expect(fromIde.result).toBe('blue');
  });

  it("issues the client identity from the org's CA, and it is neither the admin's nor the IDE's own", async () => {
    const clientCert = new X509Certificate(connection.identity.certificate);
    const clientKey = await fs.readFile(path.join(filesDir, 'client-key.pem'), 'utf8');
    const admin = await adminMaterial();
    const handle = await app.sandboxes.find(workspace);
    if (!handle) throw new Error('the sandbox is not running');
    const ide = await handle.agent.identity();

    expect(clientCert.checkIssued(new X509Certificate(admin.caCert))).toBe(true);
    expect(clientCert.verify(new X509Certificate(admin.caCert).publicKey)).toBe(true);
    expect(clientCert.subject).toMatch(/^OU=client$/m);
    expect(new X509Certificate(admin.certificate).subject).toMatch(/^OU=admin$/m);
    for (const other of [admin, ide]) {
      expect(connection.identity.certificate).not.toBe(other.certificate);
      expect(clientKey).not.toBe(other.privateKey);
    }
    expect(connection.identity.commonName).not.toMatch(/^Admin@/);
    // The chaincode sees the client's identity, not the one the IDE signs with.
    const ideCreator = JSON.parse((await (await app.session(workspace)).invoke({ workspace, mode: 'evaluate', contract: '', fn: 'Creator', args: [] })).result) as { id: string };
    expect(ideCreator.id).not.toContain(`CN=${connection.identity.commonName}`);
  });

  it("reaches the peer's Gateway and nothing else: no published container port, and the agent's API is not behind the endpoint", async () => {
    const handle = await app.sandboxes.find(workspace);
    if (!handle) throw new Error('the sandbox is not running');
    const info = await docker.getContainer(handle.containerName).inspect();
    expect(Object.keys(info.HostConfig.PortBindings ?? {})).toEqual([]);
    expect(Object.values(info.NetworkSettings.Ports ?? {}).filter((bindings) => bindings !== null)).toEqual([]);
    expect((await app.session(workspace)).clientAccess.forwarder?.host).toBe('127.0.0.1');

    const agentToken = info.Config.Env.find((e) => e.startsWith('STUDIO_AGENT_TOKEN='))?.slice('STUDIO_AGENT_TOKEN='.length) ?? '';
    // The same request answers on the agent's own port (so this test can tell the two apart)...
    const direct = await agentStyleGet(handle.host, agentPort, agentToken);
    expect(direct.status).toBe(200);
    expect(isAgentStatus(direct.body)).toBe(true);
    // ...and gets no answer of the agent's through the client endpoint.
    const forwarded = await agentStyleGet(connection.host, connection.port, agentToken);
    expect(isAgentStatus(forwarded.body)).toBe(false);
    expect(forwarded.body ?? '').not.toContain('"phase"');
  });

  it('refuses connections while the sandbox is stopped, and keeps the same endpoint when it runs again', async () => {
    const session = await app.session(workspace);
    await session.stop();
    const closed = await new Promise<{ bytes: number; closed: boolean }>((resolve) => {
      const socket = net.connect({ host: connection.host, port: connection.port });
      let bytes = 0;
      socket.on('data', (chunk) => (bytes += chunk.length));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ bytes, closed: true }));
      setTimeout(() => {
        socket.destroy();
        resolve({ bytes, closed: false });
      }, 5000);
    });
    expect(closed).toEqual({ bytes: 0, closed: true });
    const client = await connect(workspaceToken);
    const reply = await client.request('client/connection', { workspace });
    expect('error' in reply && reply.error.code).toBe('sandbox_not_ready');

    expect((await session.run()).ok).toBe(true);
    const again = resultOf<ClientConnection>(await client.request('client/connection', { workspace }, { timeoutMs: 30_000 }));
    expect(again.endpoint).toBe(connection.endpoint);
    expect(again.identity.certificate).toBe(connection.identity.certificate);
    const run = await runClient(again.chaincodeName, 'evaluate:Get:colour');
    expect(run.results[0]?.result).toBe('blue');
  });

  it("issues the client identity into keys made before there was one, from the same org CA", async () => {
    const session = await app.session(workspace);
    await session.stop();
    // What a ledger disk made by an older image holds: the org, its admin and User1, no client user.
    const users = path.join(dataDir, 'disks', `${instance}-${workspace}-data`, 'crypto', 'peerOrganizations', 'org1.example.com', 'users');
    const clientUser = (await fs.readdir(users)).find((name) => name === connection.identity.commonName);
    if (!clientUser) throw new Error(`no ${connection.identity.commonName} under ${users}`);
    await fs.rm(path.join(users, clientUser), { recursive: true });

    expect((await session.run()).ok).toBe(true);
    const client = await connect(workspaceToken);
    const issued = resultOf<ClientConnection>(await client.request('client/connection', { workspace }, { timeoutMs: 30_000 }));
    expect(issued.identity.commonName).toBe(connection.identity.commonName);
    expect(issued.identity.certificate).not.toBe(connection.identity.certificate);
    expect(new X509Certificate(issued.identity.certificate).checkIssued(new X509Certificate((await adminMaterial()).caCert))).toBe(true);
    for (const file of ['connection-profile.json', 'client-cert.pem', 'client-key.pem'] as const) await download(file);
    const run = await runClient(issued.chaincodeName, 'submit:Put:colour:green', 'evaluate:Get:colour');
    expect(run.results.map((r) => r.error ?? r.result)).toEqual(['green', 'green']);
  });
});
