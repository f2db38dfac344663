/**
 * A deploy to an endpoint it cannot connect to, run with the real peer CLI
 * against ports on loopback: a closed one, one that never answers and one
 * that speaks something other than TLS. The caller must not learn which.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminIdentity } from '../../protocol/fabric.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { ccaasPackage } from '../export/chaincodePackage.ts';
import { fabricBinary } from '../fabric/fabricCli.ts';
import { deployChaincode } from './deployChaincode.ts';

const connectTimeoutMs = 1500;
let work: string;
let admin: AdminIdentity;
let tlsCa: string;
const servers: Server[] = [];
const sockets: Socket[] = [];

/** A loopback port: listening with `onConnection`, or (without it) closed again. */
async function loopbackPort(onConnection?: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    onConnection?.(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  if (onConnection) servers.push(server);
  else await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ccs-deploy-unit-'));
  const config = path.join(work, 'crypto.yaml');
  await writeFile(config, 'PeerOrgs:\n  - Name: Org1\n    Domain: org1.test\n    Template: { Count: 1 }\n    Users: { Count: 0 }\n');
  await promisify(execFile)(fabricBinary('cryptogen'), ['generate', `--config=${config}`, `--output=${path.join(work, 'crypto')}`], { timeout: 30_000 });
  const user = path.join(work, 'crypto/peerOrganizations/org1.test/users/Admin@org1.test');
  const first = async (dir: string) => readFile(path.join(dir, (await readdir(dir))[0] ?? ''), 'utf8');
  admin = {
    mspId: 'Org1MSP',
    certificate: await first(path.join(user, 'msp/signcerts')),
    privateKey: await first(path.join(user, 'msp/keystore')),
    caCert: await first(path.join(user, 'msp/cacerts')),
  };
  tlsCa = await readFile(path.join(user, 'tls/ca.crt'), 'utf8');
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(work, { recursive: true, force: true });
});

async function deployTo(peerPort: number): Promise<{ error: StudioError; elapsedMs: number }> {
  const node = (port: number) => ({ endpoint: `127.0.0.1:${port}`, tlsRootCert: tlsCa, hostname: 'peer0.org1.test' });
  const started = performance.now();
  const error = await deployChaincode({
    connection: { peer: node(peerPort), orderer: node(peerPort), admin, channel: 'mychannel' },
    chaincode: { name: 'basic', version: '1.0', sequence: 1 },
    package: ccaasPackage({ label: 'basic_1.0', address: 'basic:9999' }).bytes,
    connectTimeoutMs,
  }).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof StudioError)) throw new Error(`expected a StudioError, got ${String(error)}`);
  return { error, elapsedMs: performance.now() - started };
}

describe('a deploy that cannot connect', () => {
  it('says the same for a closed port, a silent one and one that does not speak TLS, after the same wait', async () => {
    const outcomes = [
      await deployTo(await loopbackPort()),
      await deployTo(await loopbackPort(() => undefined)),
      await deployTo(await loopbackPort((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'))),
    ];
    const [closed] = outcomes;
    expect(closed?.error.code).toBe(ErrorCode.Export);
    expect(closed?.error.message).toBe(
      'Deploy step install failed: could not connect to the peer over TLS. Check its endpoint, that this server can reach it, and its TLS CA certificate and host name.',
    );
    for (const { error, elapsedMs } of outcomes) {
      expect(error.message).toBe(closed?.error.message);
      // Neither the peer's words nor the socket error travel with it.
      expect(error.cause).toBeUndefined();
      expect(error.data).toMatchObject({ step: 'install', steps: [{ step: 'install', ok: false, message: expect.stringMatching(/^could not connect to the peer/) }] });
      expect(elapsedMs).toBeGreaterThanOrEqual(connectTimeoutMs - 50);
    }
  }, 60_000);
});
