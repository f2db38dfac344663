import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTestFiles, parseTestFile } from './testFiles.ts';

describe('parseTestFile', () => {
  it('fills defaults', () => {
    const loaded = parseTestFile('tests/a.invokes.json', '{"invokes":[{"mode":"evaluate","fn":"GetAllAssets"}]}');
    expect(loaded).toEqual({ file: 'tests/a.invokes.json', test: { invokes: [{ mode: 'evaluate', contract: '', fn: 'GetAllAssets', args: [], expect: {} }] } });
  });

  it('names the file and the field of a mistake', () => {
    const loaded = parseTestFile('tests/a.invokes.json', '{"invokes":[{"mode":"submit","fn":"X","expect":{"reslt":"1"}}]}');
    expect('error' in loaded && loaded.error).toMatch(/^tests\/a\.invokes\.json is not a valid test file: invokes\[0\]\.expect: .*reslt/);
    const bad = parseTestFile('tests/b.invokes.json', '{"invokes":[{"mode":"query","fn":"X"}]}');
    expect('error' in bad && bad.error).toContain('invokes[0].mode');
    expect(parseTestFile('tests/c.invokes.json', '{')).toHaveProperty('error', expect.stringContaining('tests/c.invokes.json is not valid JSON') as unknown);
  });
});

describe('loadTestFiles', () => {
  let dir: string | undefined;
  afterEach(async () => dir && fs.rm(dir, { recursive: true, force: true }));

  it('reads tests/*.invokes.json in name order and refuses links', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'invoke-tests-'));
    await fs.mkdir(path.join(dir, 'tests'));
    await fs.writeFile(path.join(dir, 'tests', 'b.invokes.json'), '{"invokes":[{"mode":"evaluate","fn":"B"}]}');
    await fs.writeFile(path.join(dir, 'tests', 'a.invokes.json'), '{"invokes":[{"mode":"evaluate","fn":"A"}]}');
    await fs.writeFile(path.join(dir, 'tests', 'notes.json'), '{}');
    await fs.symlink('/etc/passwd', path.join(dir, 'tests', 'c.invokes.json'));
    const loaded = await loadTestFiles(dir);
    expect(loaded.map((l) => l.file)).toEqual(['tests/a.invokes.json', 'tests/b.invokes.json', 'tests/c.invokes.json']);
    expect(loaded[2]).toHaveProperty('error', expect.stringContaining('cannot be read') as unknown);
  });

  it('finds nothing when there is no tests folder', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'invoke-tests-'));
    expect(await loadTestFiles(dir)).toEqual([]);
  });
});
