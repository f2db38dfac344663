import { describe, expect, it } from 'vitest';
import { fuzzyScore, rankPaths } from './fuzzyMatch.ts';

describe('quick open matching', () => {
  const paths = ['package.json', 'src/assetTransferContract.ts', 'src/asset.ts', 'src/index.ts', 'test/assetTransferContract.test.ts'];

  it('matches characters in order, case-insensitively, and nothing else', () => {
    expect(fuzzyScore('src/assetTransferContract.ts', 'atc')).not.toBeNull();
    expect(fuzzyScore('src/index.ts', 'xi')).toBeNull();
    expect(rankPaths(paths, 'ATC', 10)).toEqual(['src/assetTransferContract.ts', 'test/assetTransferContract.test.ts']);
  });

  it('ranks a match in the file name, together, above one spread over the path', () => {
    expect(rankPaths(paths, 'asset', 10)[0]).toBe('src/asset.ts');
    expect(rankPaths(paths, 'index', 10)).toEqual(['src/index.ts']);
  });

  it('keeps everything for an empty query, shortest first then by name, up to the bound', () => {
    expect(rankPaths(paths, '', 3)).toEqual(['package.json', 'src/asset.ts', 'src/index.ts']);
  });
});
