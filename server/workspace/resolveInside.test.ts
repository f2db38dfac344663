import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveInside } from './resolveInside.ts';

describe('resolveInside', () => {
  let base: string;
  let root: string;

  beforeEach(async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'resolve-inside-')));
    root = path.join(base, 'ws');
    await fs.mkdir(path.join(root, 'src'), { recursive: true });
    await fs.writeFile(path.join(root, 'src', 'index.ts'), 'export {};\n');
  });

  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it('resolves existing and missing paths inside the root', async () => {
    const existing = await resolveInside(root, 'src/index.ts');
    expect(existing.abs).toBe(path.join(root, 'src', 'index.ts'));
    expect(existing.rel).toBe('src/index.ts');
    expect(existing.stat?.isFile()).toBe(true);

    const missing = await resolveInside(root, 'src/new/deep/file.ts');
    expect(missing.abs).toBe(path.join(root, 'src', 'new', 'deep', 'file.ts'));
    expect(missing.stat).toBeUndefined();
  });

  it.each([
    ['../x', '".."'],
    ['a/../../x', '".."'],
    ['src/..', '".."'],
    ['./src', '"."'],
    ['/etc/passwd', 'absolute'],
    ['C:/Windows', 'drive letter'],
    ['c:x', 'drive letter'],
    ['src\\index.ts', 'backslash'],
    ['src//index.ts', 'empty segment'],
    ['src/', 'empty segment'],
    ['', 'empty'],
    ['a\u0000b', 'control character'],
    ['a\nb', 'control character'],
    ['a\u007fb', 'control character'],
    ['x'.repeat(256), 'longer than 255 bytes'],
    ['é'.repeat(128), 'longer than 255 bytes'],
  ])('refuses %j (%s)', async (rel, why) => {
    const err = await resolveInside(root, rel).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_path' });
    expect((err as Error).message).toContain(why);
    expect((err as Error).message).not.toContain('\u0000');
    expect((err as Error).message).not.toContain('\n');
  });

  it('takes %2e%2e literally, as a name', async () => {
    const resolved = await resolveInside(root, '%2e%2e/%2e%2e');
    expect(resolved.abs).toBe(path.join(root, '%2e%2e', '%2e%2e'));
  });

  it('normalises names to NFC', async () => {
    const resolved = await resolveInside(root, 'cafe\u0301.ts');
    expect(resolved.rel).toBe('caf\u00e9.ts');
    expect(resolved.abs).toBe(path.join(root, 'caf\u00e9.ts'));
  });

  it('accepts a name of exactly 255 bytes', async () => {
    await expect(resolveInside(root, 'x'.repeat(255))).resolves.toMatchObject({ stat: undefined });
  });

  it('refuses a symlink to /etc and anything below it', async () => {
    await fs.symlink('/etc', path.join(root, 'etc'));
    for (const rel of ['etc', 'etc/passwd', 'etc/new-file']) {
      await expect(resolveInside(root, rel)).rejects.toMatchObject({ code: 'bad_path', message: expect.stringContaining('symbolic link') });
    }
  });

  it('refuses a symlinked parent folder, even one that points inside the workspace', async () => {
    await fs.symlink(path.join(root, 'src'), path.join(root, 'alias'));
    await expect(resolveInside(root, 'alias/index.ts')).rejects.toMatchObject({ code: 'bad_path' });
  });

  it('refuses a symlinked file', async () => {
    await fs.writeFile(path.join(base, 'secret.txt'), 'secret');
    await fs.symlink(path.join(base, 'secret.txt'), path.join(root, 'src', 'secret.txt'));
    await expect(resolveInside(root, 'src/secret.txt')).rejects.toMatchObject({ code: 'bad_path' });
  });

  it('refuses a path through a file', async () => {
    await expect(resolveInside(root, 'src/index.ts/x')).rejects.toMatchObject({ code: 'bad_path', message: expect.stringContaining('is a file') });
  });

  it('works when the root itself is reached through a symlink', async () => {
    await fs.symlink(root, path.join(base, 'root-link'));
    const resolved = await resolveInside(path.join(base, 'root-link'), 'src/index.ts');
    expect(resolved.abs).toBe(path.join(root, 'src', 'index.ts'));
  });
});
