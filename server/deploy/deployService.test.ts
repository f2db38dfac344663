import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../errors.ts';
import { ccaasPackage } from '../export/chaincodePackage.ts';
import { writeFabricTar } from '../export/fabricTar.ts';
import { packageFromExport } from './deployService.ts';

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
