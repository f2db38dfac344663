import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../config.ts';
import { ErrorCode } from '../errors.ts';
import { ccaasBundle, serviceNameFor, type CcaasBundle, type CcaasBundleOptions } from './ccaasBundle.ts';
import { peerCalculatePackageId } from '../fabric/fabricCli.ts';
import { readCompiledApp } from './productionApp.ts';
import { readTarGz } from './tarReader.ts';

const sampleDir = path.join(projectRoot, 'samples', 'asset-transfer-ts');

let work: string;
let buildDir: string;
let lockfile: string;
let options: CcaasBundleOptions;
let bundle: CcaasBundle;
let files: Map<string, Buffer>;

/** Compiles the TypeScript sample the way a build would: dist/*.js beside its package.json. */
async function compileSample(outDir: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [path.join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', path.join(sampleDir, 'tsconfig.json'), '--outDir', path.join(outDir, 'dist')],
    { timeout: 60_000 },
  );
  await copyFile(path.join(sampleDir, 'package.json'), path.join(outDir, 'package.json'));
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ccs-bundle-'));
  buildDir = path.join(work, 'build');
  await compileSample(buildDir);
  // A lockfile of npm's shape: resolving a real one needs the registry (lockfile.integration.test.ts).
  const manifest = JSON.parse((await readCompiledApp(buildDir)).packageJson) as { name: string; version: string; dependencies: Record<string, string> };
  const root = { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies };
  lockfile = `${JSON.stringify({ ...root, lockfileVersion: 3, requires: true, packages: { '': root } }, null, 2)}\n`;
  options = {
    chaincodeName: 'basic',
    label: 'basic_1.0',
    version: '1.0',
    sequence: 3,
    buildDir,
    image: 'registry.example.com/fabric/basic:1.0',
    namespace: 'fabric',
    channel: 'supply',
    lockfile,
  };
  bundle = await ccaasBundle(options);
  files = new Map((await readTarGz(bundle.bytes)).map((entry) => [entry.header.name, entry.content]));
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function file(name: string): string {
  const content = files.get(`basic_1.0/${name}`);
  if (content === undefined) throw new Error(`no ${name} in the bundle`);
  return content.toString('utf8');
}

describe('ccaas bundle', () => {
  it('holds exactly the package, the image context, the manifests and the README', async () => {
    const compiled = (await readCompiledApp(buildDir)).files.map((f) => `basic_1.0/image/${f.path}`);
    expect(compiled).toContain('basic_1.0/image/dist/index.js');
    expect(compiled.some((name) => name.includes('node_modules') || name.endsWith('.ts'))).toBe(false);
    const expected = [
      'basic_1.0/README.md',
      'basic_1.0/basic_1.0.tar.gz',
      'basic_1.0/image/.dockerignore',
      'basic_1.0/image/Dockerfile',
      ...compiled,
      'basic_1.0/image/package-lock.json',
      'basic_1.0/image/package.json',
      'basic_1.0/k8s/deployment.yaml',
      'basic_1.0/k8s/kustomization.yaml',
      'basic_1.0/k8s/service.yaml',
    ].sort();
    expect([...files.keys()]).toEqual(expected);
    expect(bundle.entries).toEqual(expected);
    expect(bundle.fileName).toBe('basic_1.0-k8s.tar.gz');
    for (const entry of await readTarGz(bundle.bytes)) {
      expect(entry.header).toMatchObject({ type: 'file', mode: 0o644, uid: 0, gid: 0 });
    }
  });

  it('carries a ccaas package pointing at the in-cluster Service, whose ID the peer confirms', async () => {
    expect(bundle.address).toBe('basic.fabric.svc.cluster.local:9999');
    const [metadata, code] = await readTarGz(files.get('basic_1.0/basic_1.0.tar.gz') ?? Buffer.alloc(0));
    expect(JSON.parse(metadata?.content.toString() ?? '')).toEqual({ type: 'ccaas', label: 'basic_1.0' });
    const connection = (await readTarGz(code?.content ?? Buffer.alloc(0))).find((e) => e.header.name === 'connection.json');
    expect(JSON.parse(connection?.content.toString() ?? '')).toMatchObject({ address: 'basic.fabric.svc.cluster.local:9999', tls_required: false });

    const packageFile = path.join(work, 'basic_1.0.tar.gz');
    await writeFile(packageFile, files.get('basic_1.0/basic_1.0.tar.gz') ?? Buffer.alloc(0));
    expect(await peerCalculatePackageId(packageFile)).toBe(bundle.package.packageId);
  });

  it('has manifests that parse, run the image on port 9999 with CHAINCODE_ID = the package ID, and share labels', () => {
    const deployment = parse(file('k8s/deployment.yaml')) as Deployment;
    const service = parse(file('k8s/service.yaml')) as Service;
    const kustomization = parse(file('k8s/kustomization.yaml')) as { namespace: string; resources: string[] };
    expect(kustomization).toMatchObject({ namespace: 'fabric', resources: ['deployment.yaml', 'service.yaml'] });

    const container = deployment.spec.template.spec.containers[0];
    expect(container?.image).toBe('registry.example.com/fabric/basic:1.0');
    expect(container?.ports).toEqual([{ name: 'chaincode', containerPort: 9999, protocol: 'TCP' }]);
    expect(container?.env).toEqual([
      { name: 'CHAINCODE_ID', value: bundle.package.packageId },
      { name: 'CHAINCODE_SERVER_ADDRESS', value: '0.0.0.0:9999' },
      { name: 'CORE_CHAINCODE_ID_NAME', value: bundle.package.packageId },
      { name: 'CORE_PEER_LOCALMSPID', value: 'Org1MSP' },
    ]);
    expect(container?.readinessProbe).toMatchObject({ tcpSocket: { port: 9999 } });
    expect(container?.livenessProbe).toMatchObject({ tcpSocket: { port: 9999 } });
    expect(container?.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(container?.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });

    expect(service.spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 9999, targetPort: 'chaincode' }] });
    expect(service.metadata).toMatchObject({ name: 'basic', namespace: 'fabric' });
    expect(deployment.metadata).toMatchObject({ name: 'basic', namespace: 'fabric' });
    // The Service selects the pods, and every object carries the same labels.
    const podLabels = deployment.spec.template.metadata.labels;
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(podLabels).toMatchObject(service.spec.selector);
    expect(deployment.metadata.labels).toEqual(podLabels);
    expect(service.metadata.labels).toEqual(podLabels);
    expect(podLabels['app.kubernetes.io/name']).toBe('basic');
  });

  it('has a Dockerfile whose base image is an overridable build argument', async () => {
    const dockerfile = file('image/Dockerfile').split('\n');
    const arg = dockerfile.findIndex((line) => line.startsWith('ARG BASE_IMAGE='));
    const from = dockerfile.findIndex((line) => line.startsWith('FROM '));
    expect(dockerfile[arg]).toBe('ARG BASE_IMAGE=node:20-bookworm-slim');
    // An ARG before FROM is what `docker build --build-arg BASE_IMAGE=...` overrides.
    expect(arg).toBeGreaterThanOrEqual(0);
    expect(arg).toBeLessThan(from);
    expect(dockerfile[from]).toBe('FROM ${BASE_IMAGE}');
    expect(dockerfile).toContain('RUN npm ci --omit=dev && npm cache clean --force');
    expect(dockerfile).toContain('COPY dist/ ./dist/');
    expect(dockerfile).toContain('USER 1000:1000');

    const other = await ccaasBundle({ ...options, baseImage: 'registry.example.com/mirror/node:20.19-bookworm-slim' });
    const otherFiles = new Map((await readTarGz(other.bytes)).map((e) => [e.header.name, e.content.toString()]));
    expect(otherFiles.get('basic_1.0/image/Dockerfile')).toContain('ARG BASE_IMAGE=registry.example.com/mirror/node:20.19-bookworm-slim\nFROM ${BASE_IMAGE}\n');
    await expect(ccaasBundle({ ...options, baseImage: 'node; rm -rf /' })).rejects.toMatchObject({ code: ErrorCode.Export });
  });

  it('ships the production package.json and the lockfile that npm ci needs', () => {
    const manifest = JSON.parse(file('image/package.json')) as { scripts: unknown; devDependencies?: unknown; dependencies: Record<string, string> };
    expect(manifest.scripts).toEqual({ start: 'fabric-chaincode-node start' });
    expect(manifest.devDependencies).toBeUndefined();
    expect(file('image/package-lock.json')).toBe(lockfile);
    const locked = JSON.parse(lockfile) as { packages: Record<string, { dependencies?: Record<string, string> }> };
    expect(locked.packages['']?.dependencies).toEqual(manifest.dependencies);
  });

  it('has a README with the commands filled in for this package', () => {
    const readme = file('README.md');
    const id = bundle.package.packageId;
    expect(readme).toContain('peer lifecycle chaincode install basic_1.0.tar.gz');
    expect(readme).toContain('kubectl apply -k k8s/');
    expect(readme).toContain(`--channelID supply --name basic --version 1.0 --sequence 3 --package-id ${id}`);
    expect(readme).toContain('peer lifecycle chaincode commit');
    expect(readme).toContain('docker build -t registry.example.com/fabric/basic:1.0 image/');
  });

  it('is the same bytes for the same input', async () => {
    const again = await ccaasBundle(options);
    expect(again.bytes.equals(bundle.bytes)).toBe(true);
    expect(again.package.packageId).toBe(bundle.package.packageId);
  });

  it('gives the chaincode the MSP ID of the organization the export names', async () => {
    const other = await ccaasBundle({ ...options, mspId: 'SupplierMSP' });
    const entries = new Map((await readTarGz(other.bytes)).map((entry) => [entry.header.name, entry.content]));
    const deployment = parse(entries.get('basic_1.0/k8s/deployment.yaml')?.toString('utf8') ?? '') as Deployment;
    expect(deployment.spec.template.spec.containers[0]?.env).toContainEqual({ name: 'CORE_PEER_LOCALMSPID', value: 'SupplierMSP' });
    await expect(ccaasBundle({ ...options, mspId: 'Org1 MSP' })).rejects.toThrow(/Invalid MSP ID/);
  });

  it('derives valid Kubernetes names and refuses invalid options', async () => {
    expect(serviceNameFor('Asset_Transfer')).toBe('asset-transfer');
    expect(serviceNameFor('9lives')).toBe('cc-9lives');
    await expect(ccaasBundle({ ...options, chaincodeName: 'bad name' })).rejects.toThrow(/Invalid chaincode name/);
    await expect(ccaasBundle({ ...options, namespace: 'Fabric' })).rejects.toThrow(/Invalid Kubernetes namespace/);
    await expect(ccaasBundle({ ...options, sequence: 0 })).rejects.toThrow(/Invalid sequence/);
    await expect(ccaasBundle({ ...options, label: 'bad label' })).rejects.toThrow(/\^\[\[:alnum:\]\]/);
  });

  it('points the package at the address the export names and, with TLS, serves it from the Secret the README says to create', async () => {
    const tlsDir = await mkdtemp(path.join(work, 'tls-'));
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=basic.example.org',
      '-keyout', path.join(tlsDir, 'tls.key'), '-out', path.join(tlsDir, 'tls.crt')]);
    const rootCert = await readFile(path.join(tlsDir, 'tls.crt'), 'utf8');
    const tls = await ccaasBundle({ ...options, address: 'basic.example.org:7443', tlsRequired: true, rootCert });
    expect(tls.address).toBe('basic.example.org:7443');
    const entries = new Map((await readTarGz(tls.bytes)).map((entry) => [entry.header.name, entry.content]));
    const pkg = new Map((await readTarGz(entries.get('basic_1.0/basic_1.0.tar.gz') ?? Buffer.alloc(0))).map((e) => [e.header.name, e.content]));
    const code = new Map((await readTarGz(pkg.get('code.tar.gz') ?? Buffer.alloc(0))).map((e) => [e.header.name, e.content]));
    expect(JSON.parse(code.get('connection.json')?.toString('utf8') ?? '{}')).toMatchObject({ address: 'basic.example.org:7443', tls_required: true, root_cert: rootCert });
    const deployment = parse(entries.get('basic_1.0/k8s/deployment.yaml')?.toString('utf8') ?? '') as Deployment;
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.env).toContainEqual({ name: 'CHAINCODE_TLS_CERT_FILE', value: '/etc/chaincode-tls/tls.crt' });
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'basic-tls' } });
    expect(entries.get('basic_1.0/README.md')?.toString('utf8')).toContain('kubectl -n fabric create secret tls basic-tls');
    await expect(ccaasBundle({ ...options, tlsRequired: true })).rejects.toThrow(/CA certificate/);

    // The image's command turns TLS on from the Deployment's environment: a TLS client completes a handshake.
    const appDir = path.join(work, 'container-tls');
    for (const [name, content] of entries) {
      if (!name.startsWith('basic_1.0/image/')) continue;
      const target = path.join(appDir, name.slice('basic_1.0/image/'.length));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await symlink(path.join(projectRoot, 'node_modules'), path.join(appDir, 'node_modules'));
    const cmdLine = (entries.get('basic_1.0/image/Dockerfile')?.toString('utf8') ?? '').split('\n').find((line) => line.startsWith('CMD '));
    const command = JSON.parse(cmdLine?.slice(4) ?? '[]') as string[];
    const port = await freePort();
    const child = spawn(command[0] ?? 'sh', command.slice(1), {
      cwd: appDir,
      env: {
        ...process.env,
        CHAINCODE_ID: tls.package.packageId,
        CHAINCODE_SERVER_ADDRESS: `127.0.0.1:${port}`,
        CHAINCODE_TLS_CERT_FILE: path.join(tlsDir, 'tls.crt'),
        CHAINCODE_TLS_KEY_FILE: path.join(tlsDir, 'tls.key'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForPort(port, 20_000, () => child.exitCode !== null);
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port, ca: rootCert, servername: 'basic.example.org', ALPNProtocols: ['h2'] }, () => {
          resolve(socket.authorized);
          socket.destroy();
        });
        socket.once('error', reject);
      });
      expect(authorized).toBe(true);
    } catch (err) {
      throw new Error(`chaincode server did not serve TLS: ${String(err)}\n${output}`, { cause: err });
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it("runs: the image's command starts a chaincode server that listens", async () => {
    // The image context as the container sees it, with the dependencies npm ci would install.
    const appDir = path.join(work, 'container');
    for (const [name, content] of files) {
      if (!name.startsWith('basic_1.0/image/')) continue;
      const target = path.join(appDir, name.slice('basic_1.0/image/'.length));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await symlink(path.join(projectRoot, 'node_modules'), path.join(appDir, 'node_modules'));
    const cmdLine = file('image/Dockerfile').split('\n').find((line) => line.startsWith('CMD '));
    const command = JSON.parse(cmdLine?.slice(4) ?? '[]') as string[];
    expect(command.slice(0, 2)).toEqual(['sh', '-c']);

    const port = await freePort();
    const child = spawn(command[0] ?? 'sh', command.slice(1), {
      cwd: appDir,
      env: { ...process.env, CHAINCODE_ID: bundle.package.packageId, CHAINCODE_SERVER_ADDRESS: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForPort(port, 20_000, () => child.exitCode !== null);
    } catch (err) {
      throw new Error(`chaincode server did not listen: ${String(err)}\n${output}`, { cause: err });
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});

interface Container {
  image: string;
  ports: unknown;
  env: unknown;
  readinessProbe: unknown;
  livenessProbe: unknown;
  resources: unknown;
  securityContext: unknown;
}

interface Deployment {
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { securityContext: unknown; containers: Container[]; volumes?: unknown[] } };
  };
}

interface Service {
  metadata: { name: string; labels: Record<string, string> };
  spec: { type: string; selector: Record<string, string>; ports: unknown };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('the process exited');
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}
