import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestParams } from '../../protocol/messages.ts';
import { samplesDir } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { ccaasPackage } from '../export/chaincodePackage.ts';
import type { ExportRecord } from '../export/exportStore.ts';
import { writeFabricTar } from '../export/fabricTar.ts';
import { mainScope } from '../http/tokenScope.ts';
import { createWorkspaceStore } from '../workspace/workspaceStore.ts';
import { createDeployments, packageFromExport } from './deployService.ts';

const pkg = ccaasPackage({ label: 'basic_1.0', address: 'basic.default.svc.cluster.local:9999' });
const tarGz = (files: { path: string; content: string | Buffer }[]) =>
  gzipSync(writeFabricTar(files.map((f) => ({ path: f.path, content: Buffer.from(f.content) })), { uid: 0, gid: 0 }));

describe('the package in an exported file', () => {
  it('is the file itself when the file is a package', async () => {
    expect(Buffer.from(await packageFromExport(pkg.bytes)).equals(pkg.bytes)).toBe(true);
  });

  it("is a bundle's <label>/<label>.tar.gz", async () => {
    const bundle = tarGz([
      { path: 'basic_1.0/README.md', content: '# basic' },
      { path: 'basic_1.0/basic_1.0.tar.gz', content: pkg.bytes },
      { path: 'basic_1.0/image/Dockerfile', content: 'FROM x' },
    ]);
    expect(Buffer.from(await packageFromExport(bundle)).equals(pkg.bytes)).toBe(true);
  });

  it('is refused when there is none, or the file is not a tar.gz', async () => {
    await expect(packageFromExport(tarGz([{ path: 'x/README.md', content: 'no package' }]))).rejects.toThrow(/neither a chaincode package nor a ccaas bundle/);
    const err = await packageFromExport(Buffer.from('plain text')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).code).toBe('export');
  });
});

describe('who may deploy what', () => {
  let work: string;
  let closedPort: number;
  const exports = new Map<string, ExportRecord>();

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'ccs-deploy-service-'));
    const filePath = path.join(work, 'a-b-0011.tar.gz');
    await writeFile(filePath, pkg.bytes);
    exports.set('a-b-0011', { exportId: 'a-b-0011', workspace: 'a-b', filePath, fileName: 'basic_1.0.tar.gz' });
    // A loopback port nothing listens on: the one deploy that gets as far as dialing fails there, on this machine.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    closedPort = typeof address === 'object' && address ? address.port : 0;
    await new Promise((resolve) => server.close(resolve));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const deployments = (allowWorkspaceTokens: boolean) =>
    createDeployments({
      dataDir: work,
      store: createWorkspaceStore({ dataDir: work, samplesDir }),
      exports: (id) => exports.get(id),
      allow: '127.0.0.1/32',
      allowWorkspaceTokens,
      connectTimeoutMs: 200,
    });
  const params = (workspace: string) => {
    const node = { endpoint: `127.0.0.1:${closedPort}`, tlsRootCert: 'pem' };
    return requestParams.deploy.parse({
      workspace,
      connection: { peer: node, orderer: node, admin: { mspId: 'Org1MSP', certificate: 'c', privateKey: 'k', caCert: 'ca' }, channel: 'mychannel' },
      chaincode: { name: 'basic', version: '1.0', sequence: 1 },
      package: { from: 'export', exportId: 'a-b-0011' },
    });
  };
  const outcome = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (err: unknown) => err as StudioError,
    );

  it('needs the main token unless workspace tokens are allowed', async () => {
    const asWorkspace = { scope: { kind: 'workspace', workspace: 'a-b' } as const, progress: () => undefined };
    const refused = await outcome(deployments(false).deploy(params('a-b'), asWorkspace));
    expect(refused?.code).toBe(ErrorCode.Forbidden);
    expect(refused?.message).toMatch(/needs the main token.*STUDIO_DEPLOY_WORKSPACE_TOKENS=1/);
    // Allowed, it goes on to the package and the network (where it fails: nothing listens).
    expect((await outcome(deployments(true).deploy(params('a-b'), asWorkspace)))?.code).toBe(ErrorCode.Export);
  });

  it("deploys a workspace's own exports only, matching the workspace exactly", async () => {
    const caller = { scope: mainScope, progress: () => undefined };
    for (const workspace of ['a', 'a-b-0011', 'b']) {
      const err = await outcome(deployments(false).deploy(params(workspace), caller));
      expect(err?.code, workspace).toBe(ErrorCode.NotFound);
      expect(err?.message).toBe(`There is no export a-b-0011 of workspace ${workspace}; export the chaincode again.`);
    }
    expect((await outcome(deployments(false).deploy(params('a-b'), caller)))?.code).toBe(ErrorCode.Export);
  });
});
