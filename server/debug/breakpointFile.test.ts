import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBreakpoints, saveBreakpoints } from './breakpointFile.ts';
import { BreakpointStore } from './breakpointStore.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'studio-bpfile-'));
  await mkdir(path.join(root, 'ws'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('breakpoint file', () => {
  it('saves and loads breakpoints and exception filters', async () => {
    const store = new BreakpointStore();
    store.set('src/a.ts', [{ line: 4, logMessage: 'x={x}' }, { line: 9, enabled: false }]);
    store.exceptionFilters = ['uncaught', 'all'];
    await saveBreakpoints(path.join(root, 'ws'), store);
    const loaded = new BreakpointStore();
    expect(await loadBreakpoints(path.join(root, 'ws'), loaded)).toBe(true);
    expect(loaded.all()).toEqual(store.all());
    expect(loaded.exceptionFilters).toEqual(['uncaught', 'all']);
  });

  it('reads a missing, malformed or oversized file as none, with the default filter', async () => {
    const ws = path.join(root, 'ws');
    const store = new BreakpointStore();
    expect(await loadBreakpoints(ws, store)).toBe(false);
    expect(store.exceptionFilters).toEqual(['uncaught']);
    await mkdir(path.join(ws, '.studio'));
    for (const content of ['{', JSON.stringify({ version: 1, sources: [{ path: 'a.ts', breakpoints: [{ line: 0 }] }], exceptionFilters: [] }), ' '.repeat(2 * 1024 * 1024)]) {
      await writeFile(path.join(ws, '.studio', 'breakpoints.json'), content);
      const fresh = new BreakpointStore();
      expect(await loadBreakpoints(ws, fresh)).toBe(false);
      expect(fresh.all()).toEqual([]);
    }
  });

  it('does not bring back a workspace folder that is gone', async () => {
    await expect(saveBreakpoints(path.join(root, 'gone'), new BreakpointStore())).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(path.join(root, 'gone', '.studio', 'breakpoints.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('follows no link, reading or writing', async () => {
    const ws = path.join(root, 'ws');
    const elsewhere = path.join(root, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(path.join(elsewhere, 'breakpoints.json'), JSON.stringify({ version: 1, sources: [{ path: 'a.ts', breakpoints: [{ line: 1 }] }], exceptionFilters: [] }));
    await symlink(elsewhere, path.join(ws, '.studio'));
    const store = new BreakpointStore();
    expect(await loadBreakpoints(ws, store)).toBe(false);
    await expect(saveBreakpoints(ws, store)).rejects.toThrow(/not a folder/);
    expect(await readFile(path.join(elsewhere, 'breakpoints.json'), 'utf8')).toContain('"line":1');
  });
});
