/**
 * Exports proved on a real peer: a production-mode sandbox (TLS, no dev mode,
 * external builders) takes the exported `node` package and the exported ccaas
 * bundle the way a production network would, deployed through the Deploy
 * module, and the Gateway (over TLS) gives the dev-mode answers.
 *
 * The bundle's image is built with `docker build` FROM a base derived here
 * from the sandbox image (Node 20) plus the host's npm and CA bundle: there is
 * no registry to pull node:20 from, and containers reach the npm registry only
 * through this machine's TLS-intercepting egress, whose CA the host trusts.
 * The manifests' own checks are in server/export/ccaasBundle.test.ts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureSandboxImage } from '../../../server/sandbox/image/buildImage.ts';
import { chaincodeServerPort, samplesDir } from '../../../server/config.ts';
import { StudioError } from '../../../server/errors.ts';
import { compileWorkspace } from '../../../server/compile/compileWorkspace.ts';
import { ccaasBundle, type CcaasBundle } from '../../../server/export/ccaasBundle.ts';
import { peerCalculatePackageId } from '../../../server/fabric/fabricCli.ts';
import { productionNodePackage } from '../../../server/export/productionApp.ts';
import { readTarGz } from '../../../server/export/tarReader.ts';
import { connectGateway, type SandboxGateway } from '../../../server/fabric/gateway.ts';
import type { AgentConnection } from '../../../server/sandbox/agentClient.ts';
import { createDocker } from '../../../server/sandbox/docker.ts';
import { createSandboxManager, type SandboxHandle, type SandboxManager } from '../../../server/sandbox/sandboxManager.ts';
import { createWorkspaceStore } from '../../../server/workspace/workspaceStore.ts';
import { requestParams } from '../../../protocol/messages.ts';
import { createExports } from '../../../server/export/exportService.ts';
import { deployChaincode, deploySteps } from '../../../server/deploy/deployChaincode.ts';
import { createDeployments } from '../../../server/deploy/deployService.ts';
import type { FabricConnection } from '../../../protocol/fabric.ts';
import { mainScope } from '../../../server/http/tokenScope.ts';
import { startAsKubernetesWould, type DeploymentManifest } from '../../kit/deploymentAsKubelet.ts';

const exec = promisify(execFile);
const docker = createDocker();
const instance = `ccs-dep-${randomBytes(3).toString('hex')}`;
const workspace = 'prod';
const baseImageTag = `${instance}-node-base:1`;
const chaincodeImageTag = `${instance}-basic:1.0`;
const chaincodeContainer = `${instance}-basic`;

let work: string;
let sandboxes: SandboxManager;
let buildDir: string;
let sandbox: SandboxHandle;
let agentConnection: AgentConnection;
const gateways: SandboxGateway[] = [];

function fabricConnection(): FabricConnection {
  const c = agentConnection;
  return {
    peer: { endpoint: c.peer.endpoint, tlsRootCert: c.peer.tlsRootCert, hostname: c.peer.hostname },
    orderer: { endpoint: c.orderer.endpoint, tlsRootCert: c.orderer.tlsRootCert, hostname: c.orderer.hostname },
    admin: c.admin,
    channel: c.channel,
  };
}

function gateway(): SandboxGateway {
  const g = connectGateway({
    peerEndpoint: agentConnection.peer.endpoint,
    channel: agentConnection.channel,
    identity: agentConnection.user,
    tls: { rootCert: agentConnection.peer.tlsRootCert, hostname: agentConnection.peer.hostname },
  });
  gateways.push(g);
  return g;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

/** The same transactions and answers as the dev-mode sandbox test (server/session/sandbox.integration.test.ts). */
async function assetTransferAnswers(g: SandboxGateway, chaincodeName: string): Promise<void> {
  const call = (mode: 'submit' | 'evaluate', fn: string, ...args: string[]) =>
    g[mode]({ chaincodeName, contract: '', fn, args });
  const created = await call('submit', 'CreateAsset', 'asset1', 'blue', '5', 'Tomoko', '300');
  expect(created.validationCode).toBe('VALID');
  expect(created.events.map((e) => e.name)).toEqual(['AssetCreated']);
  expect(JSON.parse((await call('evaluate', 'ReadAsset', 'asset1')).result)).toMatchObject({ ID: 'asset1', Color: 'blue', Size: 5, Owner: 'Tomoko', AppraisedValue: 300 });
  const transfer = await call('submit', 'TransferAsset', 'asset1', 'Max');
  expect(transfer.result).toBe('Tomoko');
  expect(transfer.events[0]?.name).toBe('AssetTransferred');
  expect(JSON.parse((await call('evaluate', 'GetAllAssets')).result)).toEqual([expect.objectContaining({ ID: 'asset1', Owner: 'Max' })]);
  const missing = await rejection(call('evaluate', 'ReadAsset', 'nope'));
  expect(missing).toBeInstanceOf(StudioError);
  expect((missing as StudioError).code).toBe('chaincode');
  expect((missing as StudioError).message).toBe('The asset nope does not exist');
}

/** A base image with Node 20 and npm: the sandbox image's root filesystem, Node, the host's npm and CA bundle. */
async function buildBaseImage(): Promise<void> {
  const { tag: sandboxImage } = await ensureSandboxImage(docker);
  const context = path.join(work, 'base');
  const npmDir = path.join(path.dirname(await fs.realpath(process.execPath)), '..', 'lib', 'node_modules', 'npm');
  if (!existsSync(path.join(npmDir, 'bin', 'npm-cli.js'))) throw new Error(`no npm at ${npmDir}`);
  await fs.mkdir(context, { recursive: true });
  await fs.cp(npmDir, path.join(context, 'npm'), { recursive: true });
  await fs.copyFile('/etc/ssl/certs/ca-certificates.crt', path.join(context, 'ca-certificates.crt'));
  await fs.writeFile(
    path.join(context, 'Dockerfile'),
    [
      `FROM ${sandboxImage}`,
      'USER root',
      'ENTRYPOINT []',
      'COPY npm /usr/local/lib/node_modules/npm',
      'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm',
      'COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_cafile=/etc/ssl/certs/ca-certificates.crt HOME=/root',
      '',
    ].join('\n'),
  );
  await exec('docker', ['build', '-q', '-t', baseImageTag, context], { timeout: 120_000 });
}

async function removeQuietly(fn: () => Promise<unknown>): Promise<void> {
  await fn().catch(() => undefined);
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-deploy-it-'));
  buildDir = path.join(work, 'build');
  sandboxes = createSandboxManager({ docker, dataDir: path.join(work, 'data'), instance });
  const compiled = await compileWorkspace(path.join(samplesDir, 'asset-transfer-ts'), buildDir);
  expect(compiled.ok).toBe(true);
  const started = Date.now();
  sandbox = await sandboxes.start(workspace, () => undefined, { mode: 'production' });
  agentConnection = await sandbox.agent.connection();
  console.log(`production sandbox ready in ${Date.now() - started} ms`);
});

afterAll(async () => {
  for (const g of gateways) g.close();
  await removeQuietly(() => docker.getContainer(chaincodeContainer).remove({ force: true }));
  await sandboxes?.destroy(workspace);
  await removeQuietly(() => docker.getImage(chaincodeImageTag).remove({ force: true }));
  await removeQuietly(() => docker.getImage(baseImageTag).remove({ force: true }));
  await fs.rm(work, { recursive: true, force: true });
});

describe('a production-mode sandbox', () => {
  it('runs Fabric with TLS and without dev mode, and hands out what a deployer needs', async () => {
    const status = await sandbox.agent.status();
    expect(status).toMatchObject({ phase: 'ready', mode: 'production', channel: 'studio' });
    expect(sandbox.mode).toBe('production');
    expect(agentConnection.peer).toMatchObject({ endpoint: `${sandbox.host}:7051`, hostname: 'peer0.org1.example.com' });
    expect(agentConnection.orderer).toMatchObject({ endpoint: `${sandbox.host}:7050`, hostname: 'orderer.example.com' });
    for (const pem of [agentConnection.peer.tlsRootCert, agentConnection.orderer.tlsRootCert, agentConnection.admin.certificate, agentConnection.admin.caCert]) {
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    }
    expect(agentConnection.admin.privateKey).toMatch(/PRIVATE KEY-----/);
    const info = await docker.getContainer(`${instance}-${workspace}`).inspect();
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    // The agent runs no chaincode here: the peer launches what is deployed to it.
    await expect(sandbox.agent.startChaincode('basic', { debug: false })).rejects.toThrow(/production mode/);
    // Plaintext is refused: TLS is on.
    const plain = connectGateway({ peerEndpoint: agentConnection.peer.endpoint, channel: 'studio', identity: agentConnection.user });
    gateways.push(plain);
    await expect(plain.evaluate({ chaincodeName: 'none', contract: '', fn: 'x', args: [] })).rejects.toThrow(StudioError);
  });
});

describe('the exported node package', () => {
  it('has the package ID the peer CLI computes, is installed under it, and runs built offline', async () => {
    const pkg = await productionNodePackage({ label: 'basic-node_1.0', buildDir });
    const file = path.join(work, 'basic-node_1.0.tar.gz');
    await fs.writeFile(file, pkg.bytes);
    expect(await peerCalculatePackageId(file)).toBe(pkg.packageId);

    const steps: string[] = [];
    const started = Date.now();
    const result = await deployChaincode({
      connection: fabricConnection(),
      chaincode: { name: 'basic-node', version: '1.0', sequence: 1 },
      package: await fs.readFile(file),
      onStep: (step, event) => steps.push(`${step}:${event.ok === undefined ? 'start' : event.ok}`),
    });
    console.log(`node package deployed in ${Date.now() - started} ms`);
    expect(result.packageId).toBe(pkg.packageId);
    expect(result.steps.map((s) => [s.step, s.ok])).toEqual(deploySteps.map((s) => [s, true]));
    expect(result.steps[0]?.message).toBe(`Installed as ${pkg.packageId}`);
    expect(steps).toEqual(deploySteps.flatMap((s) => [`${s}:start`, `${s}:true`]));
    expect(result.committed).toEqual({ sequence: 1, version: '1.0', approvals: { Org1MSP: true } });

    await assetTransferAnswers(gateway(), 'basic-node');
  });

  it('names the failing step and carries the peer message', async () => {
    const pkg = await productionNodePackage({ label: 'basic-node_1.0', buildDir });
    const err = await rejection(
      deployChaincode({ connection: fabricConnection(), chaincode: { name: 'basic-node', version: '1.0', sequence: 5 }, package: pkg.bytes }),
    );
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).code).toBe('export');
    expect((err as StudioError).message).toMatch(/^Deploy step approveformyorg failed: .*requested sequence 5 is larger than the next available sequence number 2$/);
    const data = (err as StudioError).data as { step: string; steps: { step: string; ok: boolean; message: string }[] };
    expect(data.step).toBe('approveformyorg');
    // The same package again: install reports it as already there.
    expect(data.steps.map((s) => [s.step, s.ok])).toEqual([
      ['install', true],
      ['approveformyorg', false],
    ]);
    expect(data.steps[0]?.message).toBe(`Already installed as ${pkg.packageId}`);
  });
});

describe('the deploy request', () => {
  it('deploys an export/package of the workspace by its export id, streaming each step', async () => {
    const store = createWorkspaceStore({ dataDir: path.join(work, 'data'), samplesDir });
    await store.create('asset-ts', 'asset-transfer-ts');
    const exportsService = createExports({ dataDir: path.join(work, 'data'), store });
    const exported = await exportsService.fabricPackage({ workspace: 'asset-ts', label: 'basic-dl_1.0' });
    const params = requestParams.deploy.parse({
      workspace: 'asset-ts',
      connection: fabricConnection(),
      chaincode: { name: 'basic-dl', version: '1.0', sequence: 1 },
      package: { from: 'export', exportId: exported.exportId },
    });
    const deploymentsWith = (allow: string) =>
      createDeployments({ dataDir: path.join(work, 'data'), store, exports: (id) => exportsService.find(id), allow, allowWorkspaceTokens: false });
    const quiet = { scope: mainScope, progress: () => undefined };

    // The sandbox sits on a private Docker bridge: refused until the allow-list names it.
    await expect(deploymentsWith('').deploy(params, quiet)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/STUDIO_DEPLOY_ALLOW/) });
    const deployments = deploymentsWith(`${agentConnection.peer.endpoint},${agentConnection.orderer.endpoint}`);
    // A workspace token may not make the server dial a network.
    await expect(deployments.deploy(params, { ...quiet, scope: { kind: 'workspace', workspace: 'asset-ts' } })).rejects.toMatchObject({ code: 'forbidden' });

    const progress: string[] = [];
    const result = await deployments.deploy(params, { scope: mainScope, progress: (step) => progress.push(step) });
    expect(result.packageId).toBe(exported.packageId);
    expect(result.committed).toEqual({ sequence: 1, version: '1.0', approvals: { Org1MSP: true } });
    expect(progress).toEqual(['deploy:package', ...deploySteps.flatMap((s) => [`deploy:${s}`, `deploy:${s}`])]);
    const read = await gateway().submit({ chaincodeName: 'basic-dl', contract: '', fn: 'CreateAsset', args: ['a', 'red', '1', 'Ann', '2'] });
    expect(read.validationCode).toBe('VALID');
    // Another workspace's export is not found from this one, even from a workspace whose name is a prefix of its own.
    for (const workspace of ['other', 'asset']) {
      await expect(deployments.deploy(requestParams.deploy.parse({ ...params, workspace }), quiet)).rejects.toMatchObject({ code: 'not_found' });
    }
    exportsService.close();
  });
});

describe('the exported ccaas bundle', () => {
  let bundle: CcaasBundle;
  let files: Map<string, Buffer>;
  const read = (name: string) => files.get(`basic_1.0/${name}`) ?? Buffer.alloc(0);

  beforeAll(async () => {
    bundle = await ccaasBundle({ chaincodeName: 'basic', label: 'basic_1.0', version: '1.0', sequence: 1, buildDir, image: chaincodeImageTag });
    files = new Map((await readTarGz(bundle.bytes)).map((e) => [e.header.name, e.content]));
    const dir = path.join(work, 'bundle');
    for (const [name, content] of files) {
      await fs.mkdir(path.join(dir, path.dirname(name)), { recursive: true });
      await fs.writeFile(path.join(dir, name), content);
    }
    let started = Date.now();
    await buildBaseImage();
    console.log(`base image built in ${Date.now() - started} ms`);
    started = Date.now();
    await exec('docker', ['build', '-q', '--build-arg', `BASE_IMAGE=${baseImageTag}`, '-t', chaincodeImageTag, path.join(dir, 'basic_1.0', 'image')], {
      timeout: 300_000,
    });
    console.log(`chaincode image built (npm ci inside docker build) in ${Date.now() - started} ms`);
  });

  it('carries a package whose ID the peer CLI computes, and manifests that name it', async () => {
    const file = path.join(work, 'basic_1.0.tar.gz');
    await fs.writeFile(file, read('basic_1.0.tar.gz'));
    expect(await peerCalculatePackageId(file)).toBe(bundle.package.packageId);
    const deployment = parse(read('k8s/deployment.yaml').toString()) as DeploymentManifest;
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.image).toBe(chaincodeImageTag);
    expect(container?.env).toContainEqual({ name: 'CHAINCODE_ID', value: bundle.package.packageId });
    expect(container?.ports[0]?.containerPort).toBe(chaincodeServerPort);
    expect(bundle.address).toBe(`basic.default.svc.cluster.local:${chaincodeServerPort}`);
  });

  it('deploys through the Deploy module to a chaincode server started from its manifests, and answers over TLS', async () => {
    const deployment = parse(read('k8s/deployment.yaml').toString()) as DeploymentManifest;
    await startAsKubernetesWould({ docker, deployment, serviceDnsName: bundle.address.split(':')[0] ?? '', network: `${instance}-${workspace}-net`, containerName: chaincodeContainer, init: true });

    const started = Date.now();
    const result = await deployChaincode({ connection: fabricConnection(), chaincode: { name: 'basic', version: '1.0', sequence: 1 }, package: read('basic_1.0.tar.gz') });
    console.log(`ccaas package deployed in ${Date.now() - started} ms`);
    expect(result.packageId).toBe(bundle.package.packageId);
    expect(result.steps.every((s) => s.ok)).toBe(true);

    await assetTransferAnswers(gateway(), 'basic');
    // The answers came from the chaincode server's container, not from a process in the sandbox.
    const logs = (await docker.getContainer(chaincodeContainer).logs({ stdout: true, stderr: true })).toString();
    expect(logs).toContain('CreateAsset asset1 owned by Tomoko');
  });
});
