import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplesDir } from '../config.ts';
import { peerCalculatePackageId, runPeerOffline } from '../fabric/fabricCli.ts';
import { goEnvironment } from '../golang/goCommand.ts';
import { goPackageFromDir } from './goPackage.ts';
import { readTar } from './tarReader.ts';

// The real peer CLI (built by setup) packages the Go sample; the go command it runs finds the modules in the shared cache.
describe('goPackageFromDir', () => {
  let work: string;
  let module: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'go-package-'));
    module = path.join(work, 'asset-transfer');
    await cp(path.join(samplesDir, 'asset-transfer-go'), module, { recursive: true });
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('holds the same metadata and uncompressed code as `peer lifecycle chaincode package --lang golang`', async () => {
    const peerFile = path.join(work, 'peer.tar.gz');
    await runPeerOffline(['lifecycle', 'chaincode', 'package', peerFile, '--lang', 'golang', '--path', module, '--label', 'gofx_1.0'], goEnvironment());
    const built = await goPackageFromDir({ label: 'gofx_1.0', dir: module });
    const [peerMetadata, peerCode] = await readTar(gunzipSync(await readFile(peerFile)));
    const [ourMetadata, ourCode] = await readTar(gunzipSync(built.bytes));
    if (!peerMetadata || !peerCode || !ourMetadata || !ourCode) throw new Error('missing entries');
    expect(JSON.parse(ourMetadata.content.toString())).toEqual({ path: 'example.com/asset-transfer', type: 'golang', label: 'gofx_1.0' });
    expect(ourMetadata.content.toString()).toBe(peerMetadata.content.toString());
    expect((await readTar(gunzipSync(ourCode.content))).map((e) => e.header.name)).toEqual((await readTar(gunzipSync(peerCode.content))).map((e) => e.header.name));
    expect(gunzipSync(ourCode.content).equals(gunzipSync(peerCode.content))).toBe(true);
  }, 120_000);

  it('has the package ID that `peer lifecycle chaincode calculatepackageid` prints', async () => {
    const built = await goPackageFromDir({ label: 'gofx_1.0', dir: module });
    const file = path.join(work, 'ours.tar.gz');
    await writeFile(file, built.bytes);
    expect(built.packageId).toBe(await peerCalculatePackageId(file));
  });
});
