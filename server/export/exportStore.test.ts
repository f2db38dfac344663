import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExportStore, type ExportStore } from './exportStore.ts';

const hourMs = 60 * 60_000;
let root: string;
let clockMs: number;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ccs-exports-'));
  clockMs = Date.now();
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const store = (budgetBytes = 1024 * 1024): ExportStore => createExportStore({ root, retentionMs: 24 * hourMs, budgetBytes, now: () => clockMs });

/** Makes a kept file look `ageMs` old. */
async function age(filePath: string, ageMs: number): Promise<void> {
  const when = new Date(clockMs - ageMs);
  await utimes(filePath, when, when);
}

describe('export retention', () => {
  it('keeps an export under an id that names its workspace, and finds it by that id', async () => {
    const exports = store();
    const kept = await exports.keep('asset', 'basic_1.0.tar.gz', Buffer.from('bytes'));
    expect(kept.exportId).toMatch(/^asset-[0-9a-f]{16}$/);
    expect(exports.find(kept.exportId)).toEqual(kept);
    expect(kept.filePath).toBe(path.join(root, 'asset', 'files', `${kept.exportId}.tar.gz`));
  });

  it('deletes exports older than the retention time', async () => {
    const exports = store();
    const old = await exports.keep('asset', 'old.tar.gz', Buffer.from('old'));
    const fresh = await exports.keep('asset', 'fresh.tar.gz', Buffer.from('fresh'));
    await age(old.filePath, 25 * hourMs);
    await age(fresh.filePath, 23 * hourMs);
    await exports.sweep();
    expect(exports.find(old.exportId)).toBeUndefined();
    expect(existsSync(old.filePath)).toBe(false);
    expect(exports.find(fresh.exportId)).toEqual(fresh);
  });

  it('deletes files an earlier server kept once they expire', async () => {
    const orphan = path.join(root, 'asset', 'files', 'asset-00000000000000aa.tar.gz');
    await mkdir(path.dirname(orphan), { recursive: true });
    await writeFile(orphan, 'left behind');
    await age(orphan, 30 * hourMs);
    await store().sweep();
    expect(existsSync(orphan)).toBe(false);
  });

  it('deletes the oldest exports first when all of them use more than the budget, never the one just kept', async () => {
    const exports = store(250);
    const first = await exports.keep('a', 'first.tar.gz', Buffer.alloc(100));
    await age(first.filePath, 3000);
    const second = await exports.keep('b', 'second.tar.gz', Buffer.alloc(100));
    await age(second.filePath, 2000);
    expect(exports.find(first.exportId)).toBeDefined();
    const third = await exports.keep('a', 'third.tar.gz', Buffer.alloc(100));
    expect(exports.find(first.exportId)).toBeUndefined();
    expect(existsSync(first.filePath)).toBe(false);
    expect(exports.find(second.exportId)).toBeDefined();
    expect(exports.find(third.exportId)).toBeDefined();
    const huge = await exports.keep('b', 'huge.tar.gz', Buffer.alloc(400));
    expect(exports.find(huge.exportId)).toBeDefined();
    expect([second, third].map((e) => exports.find(e.exportId))).toEqual([undefined, undefined]);
  });

  it("deletes all of a workspace's exports with the workspace, and no other workspace's", async () => {
    const exports = store();
    const mine = await exports.keep('a', 'mine.tar.gz', Buffer.from('mine'));
    const theirs = await exports.keep('a-b', 'theirs.tar.gz', Buffer.from('theirs'));
    await exports.deleteWorkspace('a');
    expect(exports.find(mine.exportId)).toBeUndefined();
    expect(existsSync(path.join(root, 'a'))).toBe(false);
    expect(exports.find(theirs.exportId)).toEqual(theirs);
    expect(existsSync(theirs.filePath)).toBe(true);
    await expect(exports.deleteWorkspace('../x')).rejects.toThrow(/not a workspace id/);
  });
});
