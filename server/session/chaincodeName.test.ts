import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chaincodeNameOf, readChaincodeName, readChaincodeSetting } from './chaincodeName.ts';

describe('chaincode name', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'chaincode-name-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const write = (name: string, content: string) => fs.writeFile(path.join(dir, name), content);

  it('makes a package.json name safe for Fabric', () => {
    expect(chaincodeNameOf('@acme/Asset.Transfer', 'ws')).toBe('asset-transfer');
    expect(chaincodeNameOf(undefined, 'my-ws')).toBe('my-ws');
    expect(chaincodeNameOf('---', 'ws')).toBe('chaincode');
  });

  it('comes from package.json when studio.json says nothing', async () => {
    await write('package.json', JSON.stringify({ name: '@acme/Ledger' }));
    await write('studio.json', JSON.stringify({ title: 'A sample' }));
    expect(await readChaincodeSetting(dir, 'ws')).toEqual({ chaincodeName: 'ledger', source: 'package.json' });
  });

  it('comes from the workspace name without package.json or studio.json', async () => {
    expect(await readChaincodeSetting(dir, 'my-ws')).toEqual({ chaincodeName: 'my-ws', source: 'workspace' });
  });

  it('comes from studio.json when it sets chaincodeName', async () => {
    await write('package.json', JSON.stringify({ name: 'ledger' }));
    await write('studio.json', JSON.stringify({ chaincodeName: 'Basic_cc-2' }));
    expect(await readChaincodeSetting(dir, 'ws')).toEqual({ chaincodeName: 'Basic_cc-2', source: 'studio.json' });
    expect(await readChaincodeName(dir, 'ws')).toBe('Basic_cc-2');
  });

  it.each([['has space'], ['-leading'], ['double--dash'], [''], [42], ['x'.repeat(129)]])('refuses studio.json chaincodeName %j, naming the field', async (bad) => {
    await write('studio.json', JSON.stringify({ chaincodeName: bad }));
    await expect(readChaincodeName(dir, 'ws')).rejects.toMatchObject({ code: 'bad_file', message: expect.stringMatching(/"chaincodeName" in studio\.json .*not a Fabric chaincode name/) });
  });

  it('says so when studio.json is not a JSON object', async () => {
    await write('studio.json', '{ chaincodeName: ');
    await expect(readChaincodeName(dir, 'ws')).rejects.toMatchObject({ code: 'bad_file', message: expect.stringContaining('studio.json is not valid JSON') });
    await write('studio.json', '["basic"]');
    await expect(readChaincodeName(dir, 'ws')).rejects.toMatchObject({ code: 'bad_file', message: expect.stringContaining('JSON object') });
  });

  it('does not follow a symlinked studio.json', async () => {
    const outside = path.join(dir, '..', `${path.basename(dir)}-outside.json`);
    await fs.writeFile(outside, JSON.stringify({ chaincodeName: 'outside' }));
    try {
      await fs.symlink(outside, path.join(dir, 'studio.json'));
      await expect(readChaincodeName(dir, 'ws')).rejects.toMatchObject({ code: 'bad_file', message: expect.stringContaining('plain file') });
    } finally {
      await fs.rm(outside, { force: true });
    }
  });
});
