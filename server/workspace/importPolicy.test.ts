import { describe, expect, it } from 'vitest';
import { maxImportSkipGroups } from '../config.ts';
import { tempFilePrefix } from './atomicWrite.ts';
import { createSkipReport, planImport, type ArchiveEntry } from './importPolicy.ts';

const files = (...names: string[]): ArchiveEntry[] => names.map((name) => ({ name, kind: 'file' }));
const decideAll = (entries: ArchiveEntry[]) => entries.map((entry) => planImport(entries).decide(entry));

describe('import policy', () => {
  it('strips one wrapper folder, even beside macOS litter, but not when a file sits at the top', () => {
    expect(decideAll(files('proj/a.ts', 'proj/src/b.ts', '__MACOSX/proj/._a.ts', '.DS_Store'))).toEqual([
      { keep: 'a.ts' },
      { keep: 'src/b.ts' },
      { skip: 'os-metadata', group: '__MACOSX/' },
      { skip: 'os-metadata', group: '.DS_Store' },
    ]);
    expect(decideAll(files('README.md', 'proj/a.ts'))).toEqual([{ keep: 'README.md' }, { keep: 'proj/a.ts' }]);
    expect(decideAll(files('node_modules/x/a.js'))).toEqual([{ skip: 'dependencies', group: 'node_modules/' }]);
  });

  it('skips dist/ and build/ at the root only, and dependencies and history at any depth', () => {
    expect(decideAll(files('package.json', 'dist/a.js', 'build/b.js', 'src/build/c.ts', 'packages/p/node_modules/x.js', 'src/.git/HEAD'))).toEqual([
      { keep: 'package.json' },
      { skip: 'build-output', group: 'dist/' },
      { skip: 'build-output', group: 'build/' },
      { keep: 'src/build/c.ts' },
      { skip: 'dependencies', group: 'packages/p/node_modules/' },
      { skip: 'version-control', group: 'src/.git/' },
    ]);
  });

  it("reads backslashes and './' as the store does, and keeps the studio's own names for the studio", () => {
    expect(decideAll(files('./package.json', 'src\\a.ts', '.studio/state.json', `src/${tempFilePrefix}x`, 'src\\..\\..\\x'))).toEqual([
      { keep: 'package.json' },
      { keep: 'src/a.ts' },
      { skip: 'reserved', group: '.studio/' },
      { skip: 'reserved', group: `src/${tempFilePrefix}x` },
      { skip: 'unsafe-path', group: 'src\\\\..\\\\..\\\\x' },
    ]);
  });

  it('lists a bounded number of groups and counts the rest per reason', () => {
    const report = createSkipReport();
    for (let i = 0; i < maxImportSkipGroups + 5; i++) report.add(`f${i}.log`, 'log', 1);
    report.add('node_modules/', 'dependencies', 1);
    report.add('f0.log', 'log', 1);
    const listed = report.list();
    expect(listed).toHaveLength(maxImportSkipGroups + 2);
    expect(listed[0]).toEqual({ path: 'f0.log', reason: 'log', files: 2 });
    expect(listed.slice(-2)).toEqual([
      { path: '…', reason: 'log', files: 5 },
      { path: '…', reason: 'dependencies', files: 1 },
    ]);
  });
});
