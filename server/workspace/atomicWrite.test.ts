import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempFilePrefix, writeFileAtomic } from './atomicWrite.ts';

describe('writeFileAtomic', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'atomic-write-'));
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('creates a file and replaces it', async () => {
    const file = path.join(dir, 'a.txt');
    await writeFileAtomic(file, Buffer.from('one'));
    expect(await fs.readFile(file, 'utf8')).toBe('one');
    await writeFileAtomic(file, Buffer.from('two'));
    expect(await fs.readFile(file, 'utf8')).toBe('two');
    expect(await fs.readdir(dir)).toEqual(['a.txt']);
  });

  it('leaves the old content and no temporary file when the rename fails', async () => {
    const file = path.join(dir, 'a.txt');
    await fs.writeFile(file, 'old content');
    // A crash between writing the temporary file and the rename, as the store would see it.
    const rename = vi.spyOn(fs, 'rename').mockRejectedValueOnce(Object.assign(new Error('EIO: simulated crash'), { code: 'EIO' }));

    await expect(writeFileAtomic(file, Buffer.from('new content that never lands'))).rejects.toThrow('simulated crash');

    expect(rename).toHaveBeenCalledTimes(1);
    const [temp, destination] = rename.mock.calls[0] ?? [];
    expect(path.basename(String(temp))).toMatch(new RegExp(`^${tempFilePrefix}`));
    expect(destination).toBe(file);
    expect(await fs.readFile(file, 'utf8')).toBe('old content');
    expect(await fs.readdir(dir)).toEqual(['a.txt']);
  });

  it('does not write through a symlink at the destination', async () => {
    const outside = path.join(dir, 'outside.txt');
    await fs.writeFile(outside, 'untouched');
    const link = path.join(dir, 'link.txt');
    await fs.symlink(outside, link);
    await writeFileAtomic(link, Buffer.from('replaced the link'));
    expect(await fs.readFile(outside, 'utf8')).toBe('untouched');
    expect((await fs.lstat(link)).isFile()).toBe(true);
  });
});
