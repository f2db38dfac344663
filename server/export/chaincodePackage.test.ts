import { chmod, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, StudioError } from '../errors.ts';
import { ccaasPackage, nodePackage, nodePackageFromDir, packageId, validateLabel } from './chaincodePackage.ts';
import { peerCalculatePackageId, peerPackageNode, runPeerOffline } from '../fabric/fabricCli.ts';
import { writeFabricTar } from './fabricTar.ts';
import { readTar, readTarGz } from './tarReader.ts';

const longDir = `dist/${'d'.repeat(70)}`;
const longFile = `${longDir}/${'f'.repeat(60)}.js`;

/** A chaincode folder with everything a packager must handle: hidden files, META-INF, nested and long paths. */
async function writeChaincode(dir: string): Promise<void> {
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'fx', version: '1.0.0', main: 'dist/index.js', scripts: { start: 'fabric-chaincode-node start' } }),
    'dist/index.js': 'exports.contracts = [];\n',
    'dist/index.js.map': '{}',
    [longFile]: '// long\n',
    'a/b': 'b\n',
    'a.txt': 't\n',
    '.hidden': 'h\n',
    'META-INF/statedb/couchdb/indexes/indexOwner.json': '{"index":{"fields":["owner"]},"ddoc":"indexOwnerDoc","name":"indexOwner","type":"json"}',
    'META-INF/statedb/couchdb/indexes/.DS_Store': 'junk',
  };
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
}

async function addJunk(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'node_modules/x'), { recursive: true });
  await writeFile(path.join(dir, 'node_modules/x/index.js'), 'x');
  await mkdir(path.join(dir, 'lib/node_modules/y'), { recursive: true });
  await writeFile(path.join(dir, 'lib/node_modules/y/index.js'), 'y');
  await mkdir(path.join(dir, '.git'), { recursive: true });
  await writeFile(path.join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
  await symlink('/etc/passwd', path.join(dir, 'passwd.js'));
}

describe('node packages', () => {
  let work: string;
  let clean: string;
  let junk: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'ccs-package-'));
    clean = path.join(work, 'clean');
    junk = path.join(work, 'junk');
    await writeChaincode(clean);
    await writeChaincode(junk);
    await addJunk(junk);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('holds the same uncompressed bytes as `peer lifecycle chaincode package`', async () => {
    const peerFile = path.join(work, 'peer.tar.gz');
    await peerPackageNode({ dir: clean, label: 'fx_1.0', outputFile: peerFile });
    const ours = await nodePackageFromDir({ label: 'fx_1.0', dir: clean, path: clean });

    const peerEntries = await readTarGz(await readFile(peerFile));
    const ourEntries = await readTarGz(ours.package.bytes);
    expect(ourEntries.map((e) => e.header.name)).toEqual(['metadata.json', 'code.tar.gz']);
    const [peerMetadata, peerCode] = peerEntries;
    const [ourMetadata, ourCode] = ourEntries;
    if (!peerMetadata || !peerCode || !ourMetadata || !ourCode) throw new Error('missing entries');

    expect(ourMetadata.content.toString()).toBe(peerMetadata.content.toString());
    // The code tars, headers included, are byte-identical; only the gzip layers (Go vs zlib) differ.
    expect(gunzipSync(ourCode.content).equals(gunzipSync(peerCode.content))).toBe(true);
    // So is the outer tar, once it carries the peer's compressed code.
    const outer = writeFabricTar(
      [
        { path: 'metadata.json', content: ourMetadata.content },
        { path: 'code.tar.gz', content: peerCode.content },
      ],
      { uid: 0, gid: 0 },
    );
    expect(outer.equals(gunzipSync(await readFile(peerFile)))).toBe(true);
  });

  it('has the package ID that `peer lifecycle chaincode calculatepackageid` prints', async () => {
    const { package: built } = await nodePackageFromDir({ label: 'fx_1.0', dir: clean });
    const file = path.join(work, 'ours.tar.gz');
    await writeFile(file, built.bytes);
    const peerId = await peerCalculatePackageId(file);
    expect(peerId).toMatch(/^fx_1\.0:[0-9a-f]{64}$/);
    expect(built.packageId).toBe(peerId);
    expect(packageId('fx_1.0', await readFile(file))).toBe(peerId);
  });

  it('gives the same bytes for the same files, whatever their times and modes', async () => {
    const first = await nodePackageFromDir({ label: 'fx_1.0', dir: clean });
    await utimes(path.join(clean, 'dist/index.js'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    await chmod(path.join(clean, 'a.txt'), 0o755);
    const second = await nodePackageFromDir({ label: 'fx_1.0', dir: clean });
    expect(second.package.bytes.equals(first.package.bytes)).toBe(true);
    expect(second.package.packageId).toBe(first.package.packageId);

    await writeFile(path.join(clean, 'a.txt'), 'changed\n');
    const third = await nodePackageFromDir({ label: 'fx_1.0', dir: clean });
    expect(third.package.packageId).not.toBe(first.package.packageId);
    await writeFile(path.join(clean, 'a.txt'), 't\n');
  });

  it('holds exactly the chaincode files: no node_modules, .git, symlinks or hidden metadata', async () => {
    const { package: built, skipped } = await nodePackageFromDir({ label: 'fx_1.0', dir: junk });
    const expected = [
      'src/.hidden',
      'META-INF/statedb/couchdb/indexes/indexOwner.json',
      'src/a/b',
      'src/a.txt',
      `src/${longFile}`,
      'src/dist/index.js',
      'src/dist/index.js.map',
      'src/package.json',
    ];
    expect(built.codeEntries).toEqual(expected);
    expect(skipped).toEqual(['passwd.js']);

    const [, code] = await readTarGz(built.bytes);
    if (!code) throw new Error('no code.tar.gz');
    const entries = await readTarGz(code.content);
    expect(entries.map((e) => e.header.name)).toEqual(expected);
    for (const entry of entries) {
      expect(entry.header).toMatchObject({ type: 'file', mode: 0o100644, uid: 500, gid: 500, uname: '', gname: '' });
      expect(entry.header.mtime?.getTime()).toBe(0);
    }
    const metadata = JSON.parse((await readTarGz(built.bytes))[0]?.content.toString() ?? '') as unknown;
    expect(metadata).toEqual({ path: 'fx_1.0', type: 'node', label: 'fx_1.0' });
  });

  it('refuses a package without package.json, and metadata files that are not CouchDB indexes', () => {
    const content = Buffer.from('{}');
    expect(() => nodePackage({ label: 'a', files: [{ path: 'index.js', content }] })).toThrow(/needs a package.json/);
    expect(() =>
      nodePackage({
        label: 'a',
        files: [
          { path: 'package.json', content },
          { path: 'META-INF/notes.txt', content },
        ],
      }),
    ).toThrow(/META-INF\/notes.txt is not allowed in META-INF/);
    expect(() =>
      nodePackage({
        label: 'a',
        files: [
          { path: 'package.json', content },
          { path: 'META-INF/statedb/couchdb/indexes/i.json', content: Buffer.from('not json') },
        ],
      }),
    ).toThrow(/is not valid JSON/);
  });
});

describe('labels', () => {
  const good = ['basic', 'basic_1.0', 'a', '9', 'my-cc+v2.1_rc'];
  const bad = ['', '_basic', '.x', 'has space', 'a:b', 'ünicode', 'a/b', '-x', 'x\n'];

  it('accepts what Fabric accepts and refuses the rest, quoting the rule', () => {
    for (const label of good) expect(() => validateLabel(label)).not.toThrow();
    for (const label of bad) {
      let caught: unknown;
      try {
        validateLabel(label);
      } catch (err) {
        caught = err;
      }
      expect(caught, label).toBeInstanceOf(StudioError);
      expect((caught as StudioError).code).toBe(ErrorCode.Export);
      expect((caught as StudioError).message).toContain('^[[:alnum:]][[:alnum:]_.+-]*$');
    }
    expect(() => ccaasPackage({ label: 'bad label', address: 'a:1' })).toThrow(StudioError);
  });

  it('agrees with the real peer CLI', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ccs-label-'));
    try {
      await writeFile(path.join(dir, 'package.json'), '{}');
      for (const label of [...good, ...bad.filter((l) => l !== '')]) {
        const peerAccepts = await runPeerOffline([
          'lifecycle', 'chaincode', 'package', path.join(dir, 'out.tar.gz'), '--lang', 'node', '--path', dir, '--label', label,
        ]).then(
          () => true,
          () => false,
        );
        expect(peerAccepts, label).toBe(good.includes(label));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('ccaas packages', () => {
  it('holds connection.json for the ccaas builder, and the peer computes the same ID', async () => {
    const built = ccaasPackage({ label: 'basic_1.0', address: 'basic.fabric.svc.cluster.local:9999' });
    expect(built.type).toBe('ccaas');
    const [metadata, code] = await readTarGz(built.bytes);
    if (!metadata || !code) throw new Error('missing entries');
    expect(JSON.parse(metadata.content.toString())).toEqual({ type: 'ccaas', label: 'basic_1.0' });
    const codeEntries = await readTar(gunzipSync(code.content));
    expect(codeEntries.map((e) => e.header.name)).toEqual(['connection.json']);
    expect(JSON.parse(codeEntries[0]?.content.toString() ?? '')).toEqual({
      address: 'basic.fabric.svc.cluster.local:9999',
      dial_timeout: '10s',
      tls_required: false,
    });

    const dir = await mkdtemp(path.join(tmpdir(), 'ccs-ccaas-'));
    try {
      const file = path.join(dir, 'basic.tar.gz');
      await writeFile(file, built.bytes);
      expect(await peerCalculatePackageId(file)).toBe(built.packageId);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(ccaasPackage({ label: 'basic_1.0', address: 'basic.fabric.svc.cluster.local:9999' }).bytes.equals(built.bytes)).toBe(true);
  });

  it('carries TLS settings and CouchDB indexes, and refuses incomplete ones', async () => {
    const built = ccaasPackage({
      label: 'basic_1.0',
      address: 'basic:9999',
      dialTimeout: '1m30s',
      tlsRequired: true,
      rootCert: 'PEM',
      metaInf: [{ path: 'META-INF/statedb/couchdb/indexes/owner.json', content: Buffer.from('{"index":{}}') }],
    });
    expect(built.codeEntries).toEqual(['META-INF/statedb/couchdb/indexes/owner.json', 'connection.json']);
    const [, code] = await readTarGz(built.bytes);
    const connection = (await readTarGz(code?.content ?? Buffer.alloc(0))).find((e) => e.header.name === 'connection.json');
    expect(JSON.parse(connection?.content.toString() ?? '')).toEqual({
      address: 'basic:9999',
      dial_timeout: '1m30s',
      tls_required: true,
      client_auth_required: false,
      root_cert: 'PEM',
    });
    expect(() => ccaasPackage({ label: 'a', address: 'a:1', tlsRequired: true })).toThrow(/root certificate/);
    expect(() => ccaasPackage({ label: 'a', address: 'no-port' })).toThrow(/expected host:port/);
    expect(() => ccaasPackage({ label: 'a', address: 'a:1', dialTimeout: 'soon' })).toThrow(/Go duration/);
  });
});
