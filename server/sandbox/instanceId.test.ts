import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadInstanceId } from './instanceId.ts';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-instance-id-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

it('creates a random id once, readable by its owner only, and keeps it', async () => {
  const id = await loadInstanceId(dir);
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  expect((await fs.stat(path.join(dir, 'instance-id'))).mode & 0o777).toBe(0o600);
  expect(await loadInstanceId(dir)).toBe(id);
  expect(await fs.readdir(dir)).toEqual(['instance-id']);
});

it('gives every data dir its own id, and one id to servers starting together on one dir', async () => {
  const other = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-instance-id-'));
  try {
    const together = await Promise.all([loadInstanceId(dir), loadInstanceId(dir), loadInstanceId(dir)]);
    expect(new Set(together).size).toBe(1);
    expect(await loadInstanceId(other)).not.toBe(together[0]);
  } finally {
    await fs.rm(other, { recursive: true, force: true });
  }
});

it('refuses a file that holds no id rather than making a new one', async () => {
  await fs.writeFile(path.join(dir, 'instance-id'), 'garbage\n');
  await expect(loadInstanceId(dir)).rejects.toThrow(/does not hold an instance id/);
});
