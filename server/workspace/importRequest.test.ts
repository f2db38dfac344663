/**
 * `workspace/import` over a real WebSocket on loopback: the largest archive one message carries is
 * about three quarters of maxMessageBytes (base64), and one larger is refused as too large.
 */
import { zipSync } from 'fflate';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.ts';
import { startTestServer, type TestServer } from '../../tests/kit/studioHarness.ts';
import { maxFileBytes, maxMessageBytes, samplesDir } from '../config.ts';
import { importWorkspace } from './importArchive.ts';
import { createWorkspaceStore, type WorkspaceStore } from './workspaceStore.ts';

let base: string;
let store: WorkspaceStore;
let server: TestServer;

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'import-request-')));
  store = createWorkspaceStore({ dataDir: path.join(base, 'data'), samplesDir });
  server = await startTestServer({ handlers: { 'workspace/import': async (params) => importWorkspace(store, params) } });
});

afterAll(async () => {
  await server.close();
  await fs.rm(base, { recursive: true, force: true });
});

/** A zip of text that hardly compresses (hex of random bytes), about `archiveBytes` long. */
function hexZip(archiveBytes: number): Buffer {
  const files: Record<string, Uint8Array> = {};
  const perFile = maxFileBytes - 1024;
  // Hex of random bytes deflates to a little over half its length.
  for (let left = archiveBytes * 1.8, i = 0; left > 0; left -= perFile, i++) {
    files[`data/part${i}.txt`] = Buffer.from(randomBytes(Math.min(perFile, left) / 2).toString('hex'));
  }
  return Buffer.from(zipSync(files, { level: 9 }));
}

describe('workspace/import over the WebSocket', () => {
  it('imports an archive of about 70% of the message limit, and refuses one over it as too large', async () => {
    const client = await server.connect();
    const fits = hexZip(Math.floor(maxMessageBytes * 0.7));
    expect(Math.ceil(fits.length / 3) * 4).toBeLessThan(maxMessageBytes);
    const reply = await client.request('workspace/import', { name: 'big', archive: { kind: 'zip', base64: fits.toString('base64') } }, { timeoutMs: 30_000 });
    expect(reply).toMatchObject({ result: { workspace: 'big', skipped: [] } });
    expect(await store.exists('big')).toBe(true);

    const tooBig = hexZip(Math.ceil(maxMessageBytes * 0.8));
    expect(Math.ceil(tooBig.length / 3) * 4).toBeGreaterThan(maxMessageBytes);
    const refused = await client.request('workspace/import', { name: 'bigger', archive: { kind: 'zip', base64: tooBig.toString('base64') } }, { timeoutMs: 30_000 });
    expect(refused).toMatchObject({ error: { code: ErrorCode.TooLarge } });
    expect(await store.exists('bigger')).toBe(false);
  });

  it('refuses params that are neither an archive nor files', async () => {
    const client = await server.connect();
    const reply = await client.request('workspace/import', { name: 'x', archive: { kind: 'rar', base64: 'AA==' } });
    expect(reply).toMatchObject({ error: { code: ErrorCode.InvalidParams } });
  });
});
