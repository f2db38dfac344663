import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chaincodeCommand, checkPackage, isGolangPackage } from './golangBuilder.mjs';

describe('the offline golang builder', () => {
  let dir: string;
  let source: string;
  let metadata: string;
  const writePackage = async (files: Record<string, string>, meta: object = { type: 'golang', path: 'example.com/cc', label: 'cc_1' }) => {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(source, name)), { recursive: true });
      await writeFile(path.join(source, name), text);
    }
    await writeFile(path.join(metadata, 'metadata.json'), JSON.stringify(meta));
  };
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'golang-builder-'));
    source = path.join(dir, 'code');
    metadata = path.join(dir, 'meta');
    await mkdir(source);
    await mkdir(metadata);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('claims golang packages only', async () => {
    await writePackage({}, { type: 'GoLang', path: 'x', label: 'x' });
    expect(await isGolangPackage(metadata)).toBe(true);
    await writePackage({}, { type: 'node', path: '', label: 'x' });
    expect(await isGolangPackage(metadata)).toBe(false);
  });

  it('builds a vendored module package at its metadata path', async () => {
    await writePackage({ 'src/go.mod': 'module example.com/cc\n\ngo 1.24\n', 'src/vendor/modules.txt': '' }, { type: 'golang', path: 'example.com/cc/cmd/cc', label: 'cc_1' });
    expect(await checkPackage(source, metadata)).toEqual({ moduleDir: path.join(source, 'src'), importPath: 'example.com/cc/cmd/cc' });
  });

  it('refuses a package without vendor/, saying what to do', async () => {
    await writePackage({ 'src/go.mod': 'module example.com/cc\n' });
    await expect(checkPackage(source, metadata)).rejects.toThrow(/builds offline .* run `go mod vendor` before `peer lifecycle chaincode package`/);
  });

  it('refuses a GOPATH package (no go.mod)', async () => {
    await writePackage({ 'src/main.go': 'package main\n' });
    await expect(checkPackage(source, metadata)).rejects.toThrow(/no src\/go.mod/);
  });

  it('refuses a go.mod whose replace leaves the module (the server’s rule)', async () => {
    await writePackage({ 'src/go.mod': 'module example.com/cc\nreplace example.com/x => ../../../etc\n', 'src/vendor/modules.txt': '' });
    await expect(checkPackage(source, metadata)).rejects.toThrow(/line 2: replace points at \.\.\/\.\.\/\.\.\/etc, outside the workspace/);
  });

  it('refuses a metadata path outside the module (no flag, no standard library command)', async () => {
    await writePackage({ 'src/go.mod': 'module example.com/cc\n', 'src/vendor/modules.txt': '' }, { type: 'golang', path: '-toolexec=/bin/sh', label: 'cc_1' });
    await expect(checkPackage(source, metadata)).rejects.toThrow(/is not a package of the module example.com\/cc/);
    await writePackage({}, { type: 'golang', path: 'example.com/ccx', label: 'cc_1' });
    await expect(checkPackage(source, metadata)).rejects.toThrow(/not a package of the module/);
  });

  it('starts a copy of the binary (the ledger disk is noexec) as Fabric launches a Go chaincode, with TLS files only its owner reads', async () => {
    const info = { chaincode_id: 'cc_1:abc', peer_address: '127.0.0.1:7052', mspid: 'Org1MSP', client_cert: 'CERT', client_key: 'KEY', root_cert: 'ROOT' };
    await writeFile(path.join(source, 'chaincode'), 'BINARY');
    const runDir = path.join(dir, 'run');
    await mkdir(runDir);
    const { command, args, env } = await chaincodeCommand({ buildDir: source, info, runDir });
    expect([command, ...args]).toEqual([path.join(runDir, 'chaincode'), '-peer.address', '127.0.0.1:7052']);
    expect(await readFile(command, 'utf8')).toBe('BINARY');
    expect((await stat(command)).mode & 0o777).toBe(0o700);
    expect(env).toMatchObject({ CORE_CHAINCODE_ID_NAME: 'cc_1:abc', CORE_PEER_TLS_ENABLED: 'true', CORE_PEER_LOCALMSPID: 'Org1MSP' });
    expect(await readFile(env.CORE_TLS_CLIENT_KEY_FILE ?? '', 'utf8')).toBe('KEY');
    expect(await readFile(env.CORE_TLS_CLIENT_CERT_FILE ?? '', 'utf8')).toBe('CERT');
    expect(await readFile(env.CORE_PEER_TLS_ROOTCERT_FILE ?? '', 'utf8')).toBe('ROOT');
    expect((await stat(env.CORE_TLS_CLIENT_KEY_FILE ?? '')).mode & 0o777).toBe(0o600);
    expect(Object.keys(env).filter((k) => k.startsWith('STUDIO_'))).toEqual([]);
  });
});
