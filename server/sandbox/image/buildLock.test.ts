import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withBuildLock } from './buildLock.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function lockFile(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'build-lock-'));
  dirs.push(dir);
  return path.join(dir, 'image.lock');
}

describe('withBuildLock', () => {
  it('runs one build at a time, the second once the first has ended, and tells the second it waits', async () => {
    const lock = await lockFile();
    const events: string[] = [];
    let waited = 0;
    const build = (name: string) =>
      withBuildLock(
        lock,
        async () => {
          events.push(`${name} start`);
          await new Promise((r) => setTimeout(r, 300));
          events.push(`${name} end`);
          return name;
        },
        () => waited++,
      );
    expect(await Promise.all([build('a'), build('b')])).toEqual(['a', 'b']);
    // Either may win the lock; the other starts only after it ends.
    const first = events[0]?.split(' ')[0];
    const second = first === 'a' ? 'b' : 'a';
    expect(events).toEqual([`${first} start`, `${first} end`, `${second} start`, `${second} end`]);
    expect(waited).toBe(1);
    await expect(fs.access(lock)).rejects.toThrow();
  });

  it('takes over a lock whose process has ended, and releases it when the build throws', async () => {
    const lock = await lockFile();
    const ended = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => ended.on('exit', resolve));
    await fs.writeFile(lock, String(ended.pid));
    await expect(withBuildLock(lock, async () => Promise.reject(new Error('build failed')))).rejects.toThrow('build failed');
    await expect(fs.access(lock)).rejects.toThrow();
    expect(await withBuildLock(lock, async () => 'next')).toBe('next');
  });
});
