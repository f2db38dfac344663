import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestParams } from '../../protocol/messages.ts';
import { samplesDir } from '../config.ts';
import { setChaincodeName, setWorkspaceNetwork, workspaceNetwork, workspaceSettings } from './workspaceSettings.ts';
import { createWorkspaceStore, type WorkspaceStore } from './workspaceStore.ts';

describe('workspace settings', () => {
  let base: string;
  let store: WorkspaceStore;

  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'workspace-settings-'));
    store = createWorkspaceStore({ dataDir: base, samplesDir });
    await store.createFromFiles('plain', [
      { path: 'package.json', content: Buffer.from(JSON.stringify({ name: 'my-ledger' })) },
      { path: 'index.js', content: Buffer.from('') },
    ]);
  });

  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it('shows the package.json name before any studio.json exists', async () => {
    expect(await workspaceSettings(store, 'plain')).toEqual({ chaincodeName: 'my-ledger', source: 'package.json' });
  });

  it('writes studio.json through the store and reads the new name back', async () => {
    const set = await setChaincodeName(store, 'plain', 'ledger_v2');
    expect(set).toMatchObject({ chaincodeName: 'ledger_v2', source: 'studio.json', path: 'studio.json' });
    expect(JSON.parse((await store.read('plain', 'studio.json')).content)).toEqual({ chaincodeName: 'ledger_v2' });
    expect(await workspaceSettings(store, 'plain')).toEqual({ chaincodeName: 'ledger_v2', source: 'studio.json' });
  });

  it("keeps a sample's other studio.json fields", async () => {
    await store.create('sample', 'asset-transfer-ts');
    await setChaincodeName(store, 'sample', 'assets');
    expect(JSON.parse((await store.read('sample', 'studio.json')).content)).toMatchObject({ language: 'typescript', chaincodeName: 'assets' });
    expect((await store.list()).find((w) => w.id === 'sample')?.language).toBe('typescript');
  });

  it('refuses a name Fabric would refuse before anything is written', () => {
    const schema = requestParams['workspace/setChaincodeName'];
    expect(schema.safeParse({ workspace: 'plain', chaincodeName: 'ledger-2' }).success).toBe(true);
    for (const bad of ['my ledger', 'ledger-', '_x', '', 'a'.repeat(129)]) {
      expect(schema.safeParse({ workspace: 'plain', chaincodeName: bad }).success).toBe(false);
    }
  });

  it('answers not_found for a workspace that does not exist', async () => {
    await expect(workspaceSettings(store, 'nope')).rejects.toMatchObject({ code: 'not_found' });
    await expect(setChaincodeName(store, 'nope', 'x')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('workspace network settings', () => {
  let base: string;
  let store: WorkspaceStore;

  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'workspace-network-'));
    store = createWorkspaceStore({ dataDir: base, samplesDir });
    await store.createFromFiles('net', [
      { path: 'studio.json', content: Buffer.from(JSON.stringify({ chaincodeName: 'assets', title: 'mine' })) },
      { path: 'config/collections_config.json', content: Buffer.from(JSON.stringify([{ name: 'shared', policy: "OR('Org1MSP.member','Org2MSP.member')", maxPeerCount: 1 }])) },
      { path: 'index.js', content: Buffer.from('') },
    ]);
  });

  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it("shows today's network and offers the workspace's collections config", async () => {
    expect(await workspaceNetwork(store, 'net')).toEqual({
      network: { orgs: ['Org1MSP'], channel: 'studio', stateDatabase: 'leveldb' },
      issues: [],
      collections: [],
      collectionsFiles: ['config/collections_config.json'],
    });
  });

  it('writes the network into studio.json, keeping its other fields, and says a new org count rebuilds', async () => {
    const set = await setWorkspaceNetwork(store, 'net', {
      orgs: ['Org1MSP', 'Org2MSP'],
      channel: 'studio',
      endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')",
      collectionsConfig: 'config/collections_config.json',
      stateDatabase: 'leveldb',
    });
    expect(set).toMatchObject({ path: 'studio.json', issues: [], collections: [{ name: 'shared' }], change: { rebuild: true, newDefinition: false } });
    expect(set.change.lost[0]).toMatch(/ledger of channel "studio"/);
    expect(JSON.parse((await store.read('net', 'studio.json')).content)).toMatchObject({ chaincodeName: 'assets', title: 'mine', network: { orgs: ['Org1MSP', 'Org2MSP'] } });

    const again = await setWorkspaceNetwork(store, 'net', { orgs: ['Org1MSP', 'Org2MSP'], channel: 'studio', collectionsConfig: 'config/collections_config.json', stateDatabase: 'leveldb' });
    expect(again.change).toEqual({ rebuild: false, newDefinition: true, lost: [] });
  });

  it('refuses settings whose collections config does not fit the network, writing nothing', async () => {
    const before = (await store.read('net', 'studio.json')).content;
    const bad = setWorkspaceNetwork(store, 'net', { orgs: ['Org1MSP'], channel: 'studio', collectionsConfig: 'config/collections_config.json', stateDatabase: 'leveldb' });
    await expect(bad).rejects.toMatchObject({
      code: 'invalid_params',
      data: { issues: [{ path: 'config/collections_config.json[0].policy', message: expect.stringMatching(/"Org2MSP" is not an org/) }] },
    });
    await expect(setWorkspaceNetwork(store, 'net', { stateDatabase: 'couchdb' })).rejects.toMatchObject({ code: 'invalid_params', message: expect.stringMatching(/not available here/) });
    expect((await store.read('net', 'studio.json')).content).toBe(before);
  });
});
