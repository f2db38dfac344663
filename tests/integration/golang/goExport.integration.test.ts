/**
 * Go exports proved on a real peer. The `golang` package of the Go sample
 * (vendored, as `go mod vendor && peer lifecycle chaincode package` makes
 * it) installed on a production-mode sandbox, whose offline golang builder
 * compiles it with the image's Go toolchain and starts it; it answers. The
 * ccaas bundle of the Go sample, its
 * package installed on a production-mode sandbox (TLS, no dev mode) through
 * the Deploy module, and its image's runtime stage (the static binary alone,
 * FROM scratch) started as Kubernetes would from the bundle's manifests; the
 * chaincode answers as in dev mode. The image's build stage (`go build` in a
 * Go image, which needs a registry) is replaced by the same build on the host.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import type { FabricConnection } from '../../../protocol/fabric.ts';
import { samplesDir } from '../../../server/config.ts';
import { deployChaincode } from '../../../server/deploy/deployChaincode.ts';
import { StudioError } from '../../../server/errors.ts';
import { ccaasBundle, type CcaasBundle } from '../../../server/export/ccaasBundle.ts';
import { readGoModuleFiles, vendoredGoPackage } from '../../../server/export/goPackage.ts';
import { readTar, readTarGz } from '../../../server/export/tarReader.ts';
import { peerCalculatePackageId, runPeerOffline } from '../../../server/fabric/fabricCli.ts';
import { connectGateway, type SandboxGateway } from '../../../server/fabric/gateway.ts';
import { buildGoWorkspace, goBinaryName } from '../../../server/golang/goBuild.ts';
import { goEnvironment } from '../../../server/golang/goCommand.ts';
import type { AgentConnection } from '../../../server/sandbox/agentClient.ts';
import { createDocker } from '../../../server/sandbox/docker.ts';
import { createSandboxManager, type SandboxHandle, type SandboxManager } from '../../../server/sandbox/sandboxManager.ts';
import { startAsKubernetesWould, type DeploymentManifest } from '../../kit/deploymentAsKubelet.ts';

const exec = promisify(execFile);
const docker = createDocker();
const instance = `ccs-goexp-${randomBytes(3).toString('hex')}`;
const workspace = 'goprod';
const imageTag = `${instance}-basic:1.0`;
const containerName = `${instance}-basic`;

let work: string;
let sandboxes: SandboxManager;
let sandbox: SandboxHandle;
let connection: AgentConnection;
let bundle: CcaasBundle;
let files: Map<string, Buffer>;
const gateways: SandboxGateway[] = [];
const read = (name: string) => files.get(`basic_1.0/${name}`) ?? Buffer.alloc(0);

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-goexp-'));
  sandboxes = createSandboxManager({ docker, dataDir: path.join(work, 'data'), instance });
  const sandboxStarted = sandboxes.start(workspace, () => undefined, { mode: 'production' });
  const sample = path.join(samplesDir, 'asset-transfer-go');
  bundle = await ccaasBundle({ chaincodeName: 'basic', label: 'basic_1.0', version: '1.0', sequence: 1, buildDir: '/nonexistent', image: imageTag, goModule: await readGoModuleFiles(sample) });
  files = new Map((await readTarGz(bundle.bytes)).map((e) => [e.header.name, e.content]));

  // The image's runtime stage as exported, with the binary built on the host as its build stage would.
  const context = path.join(work, 'image');
  const built = await buildGoWorkspace({ workspaceDir: sample, outDir: path.join(work, 'out'), stagingDir: path.join(work, 'staging'), optimised: true });
  expect(built.ok).toBe(true);
  await fs.mkdir(context, { recursive: true });
  await fs.copyFile(path.join(work, 'out', goBinaryName), path.join(context, 'chaincode'));
  const dockerfile = read('image/Dockerfile').toString();
  const runtimeStage = dockerfile.slice(dockerfile.indexOf('FROM scratch')).replace('COPY --from=build /chaincode /chaincode', 'COPY chaincode /chaincode');
  expect(runtimeStage).toContain('ENTRYPOINT ["/chaincode"]');
  await fs.writeFile(path.join(context, 'Dockerfile'), runtimeStage);
  await exec('docker', ['build', '-q', '-t', imageTag, context], { timeout: 300_000 });

  sandbox = await sandboxStarted;
  connection = await sandbox.agent.connection();
}, 600_000);

afterAll(async () => {
  for (const g of gateways) g.close();
  await docker
    .getContainer(containerName)
    .remove({ force: true })
    .catch(() => undefined);
  await sandboxes?.destroy(workspace);
  await docker
    .getImage(imageTag)
    .remove({ force: true })
    .catch(() => undefined);
  await fs.rm(work, { recursive: true, force: true });
});

function fabricConnection(): FabricConnection {
  const c = connection;
  return {
    peer: { endpoint: c.peer.endpoint, tlsRootCert: c.peer.tlsRootCert, hostname: c.peer.hostname },
    orderer: { endpoint: c.orderer.endpoint, tlsRootCert: c.orderer.tlsRootCert, hostname: c.orderer.hostname },
    admin: c.admin,
    channel: c.channel,
  };
}

describe('the exported ccaas bundle of the Go sample', () => {
  it('carries a package whose ID the peer CLI computes', async () => {
    const file = path.join(work, 'basic_1.0.tar.gz');
    await fs.writeFile(file, read('basic_1.0.tar.gz'));
    expect(await peerCalculatePackageId(file)).toBe(bundle.package.packageId);
  });

  it('installs on a production-mode peer, and the Go chaincode server started from the manifests answers as in dev mode', async () => {
    await startAsKubernetesWould({ docker, deployment: parse(read('k8s/deployment.yaml').toString()) as DeploymentManifest, serviceDnsName: bundle.address.split(':')[0] ?? '', network: `${instance}-${workspace}-net`, containerName });
    const result = await deployChaincode({ connection: fabricConnection(), chaincode: { name: 'basic', version: '1.0', sequence: 1 }, package: read('basic_1.0.tar.gz') });
    expect(result.packageId).toBe(bundle.package.packageId);
    expect(result.steps.every((s) => s.ok)).toBe(true);

    const g = connectGateway({ peerEndpoint: connection.peer.endpoint, channel: connection.channel, identity: connection.user, tls: { rootCert: connection.peer.tlsRootCert, hostname: connection.peer.hostname } });
    gateways.push(g);
    const call = (mode: 'submit' | 'evaluate', fn: string, ...args: string[]) => g[mode]({ chaincodeName: 'basic', contract: '', fn, args });
    const created = await call('submit', 'CreateAsset', 'asset1', 'blue', '5', 'Tomoko', '300');
    expect(created.validationCode).toBe('VALID');
    expect(created.events.map((e) => e.name)).toEqual(['AssetCreated']);
    expect(JSON.parse((await call('evaluate', 'ReadAsset', 'asset1')).result)).toEqual({ ID: 'asset1', Color: 'blue', Size: 5, Owner: 'Tomoko', AppraisedValue: 300 });
    expect((await call('submit', 'TransferAsset', 'asset1', 'Max')).result).toBe('Tomoko');
    const missing = await call('evaluate', 'ReadAsset', 'nope').catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(StudioError);
    expect((missing as StudioError).message).toContain('the asset nope does not exist');
    const logs = (await docker.getContainer(containerName).logs({ stdout: true, stderr: true })).toString();
    expect(logs).toContain('CreateAsset asset1 owned by Tomoko');
  }, 300_000);
});

describe('the exported golang package of the Go sample', () => {
  const label = 'gobasic_1.0';
  let ours: { bytes: Uint8Array; packageId: string };
  let cliPackageId: string;

  it('is what `go mod vendor` then `peer lifecycle chaincode package --lang golang` make, with the ID `calculatepackageid` prints', async () => {
    // Made as the export makes it: the optimised build staged the module (beforeAll), then vendored and packaged.
    ours = await vendoredGoPackage({ label, stagingDir: path.join(work, 'staging'), workDir: work });
    const vendored = path.join(work, 'by-hand');
    await fs.cp(path.join(samplesDir, 'asset-transfer-go'), vendored, { recursive: true });
    await exec('go', ['mod', 'vendor'], { cwd: vendored, env: goEnvironment() });
    const cliFile = path.join(work, 'cli.tar.gz');
    await runPeerOffline(['lifecycle', 'chaincode', 'package', cliFile, '--lang', 'golang', '--path', vendored, '--label', label], goEnvironment());
    // The same metadata and uncompressed code (the gzip bytes, and so the ID, depend on the compressor).
    const entriesOf = async (bytes: Uint8Array) => {
      const [metadata, code] = await readTar(gunzipSync(bytes));
      return { metadata: metadata?.content.toString(), code: gunzipSync(code?.content ?? Buffer.alloc(0)) };
    };
    const [mine, cli] = [await entriesOf(ours.bytes), await entriesOf(await fs.readFile(cliFile))];
    expect(mine.metadata).toBe(cli.metadata);
    expect((await readTar(mine.code)).some((e) => e.header.name === 'src/vendor/modules.txt')).toBe(true);
    expect(mine.code.equals(cli.code)).toBe(true);
    const ourFile = path.join(work, `${label}.tar.gz`);
    await fs.writeFile(ourFile, ours.bytes);
    cliPackageId = await peerCalculatePackageId(ourFile);
    expect(ours.packageId).toBe(cliPackageId);
  }, 180_000);

  it('installs on a production-mode peer under the same ID, its golang builder compiles it offline, and it answers', async () => {
    expect(cliPackageId).toBeDefined();
    const steps: string[] = [];
    const result = await deployChaincode({
      connection: fabricConnection(),
      chaincode: { name: 'gobasic', version: '1.0', sequence: 1 },
      package: ours.bytes,
      onStep: (step, event) => steps.push(`${step}: ${event.message}`),
    });
    // The install step checks the ID the peer reports against the package's; here against the CLI's too.
    expect(result.packageId).toBe(cliPackageId);
    expect(steps).toContain(`install: Installed as ${cliPackageId}`);
    expect(result.steps.every((s) => s.ok)).toBe(true);

    const g = connectGateway({ peerEndpoint: connection.peer.endpoint, channel: connection.channel, identity: connection.user, tls: { rootCert: connection.peer.tlsRootCert, hostname: connection.peer.hostname } });
    gateways.push(g);
    const call = (mode: 'submit' | 'evaluate', fn: string, ...args: string[]) => g[mode]({ chaincodeName: 'gobasic', contract: '', fn, args });
    const created = await call('submit', 'CreateAsset', 'asset7', 'green', '7', 'Ana', '700');
    expect(created.validationCode).toBe('VALID');
    expect(created.events.map((e) => e.name)).toEqual(['AssetCreated']);
    expect(JSON.parse((await call('evaluate', 'ReadAsset', 'asset7')).result)).toEqual({ ID: 'asset7', Color: 'green', Size: 7, Owner: 'Ana', AppraisedValue: 700 });
    const missing = await call('evaluate', 'ReadAsset', 'nope').catch((err: unknown) => err);
    expect((missing as StudioError).message).toContain('the asset nope does not exist');
  }, 420_000);
});
