import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { maxFileBytes } from '../../../protocol/workspaceLimits.ts';
import { archiveKindOf, filesOfInput, selectFolderFiles, suggestedWorkspaceName, zipFolder, type FolderFile } from './folderFiles.ts';

const file = (path: string, text: string | Uint8Array<ArrayBuffer> = 'x'): FolderFile => ({ path, file: new Blob([text]) });

describe('selectFolderFiles', () => {
  it('drops the picked folder’s own name and leaves node_modules, .git and the like unread, grouped by folder', () => {
    const { files, skipped } = selectFolderFiles([
      file('notes/package.json'),
      file('notes/src/index.ts'),
      file('notes/node_modules/a/index.js'),
      file('notes/node_modules/a/node_modules/b/index.js'),
      file('notes/.git/HEAD'),
      file('notes/packages/x/node_modules/c.js'),
      file('notes/src/node_modules.ts'),
    ]);
    expect(files.map((f) => f.path)).toEqual(['package.json', 'src/index.ts', 'src/node_modules.ts']);
    expect(skipped).toEqual([
      { path: 'node_modules/', reason: 'dependencies', files: 2 },
      { path: '.git/', reason: 'version-control', files: 1 },
      { path: 'packages/x/node_modules/', reason: 'dependencies', files: 1 },
    ]);
  });

  it('keeps the paths of several dropped items, and sets aside files over the per-file limit unread', () => {
    const { files, skipped } = selectFolderFiles([file('a/package.json'), file('b/big.bin', new Uint8Array(maxFileBytes + 1)), file('readme.md')]);
    expect(files.map((f) => f.path)).toEqual(['a/package.json', 'readme.md']);
    expect(skipped).toEqual([{ path: 'b/big.bin', reason: 'too-large', files: 1 }]);
  });

  it('reads an input’s files at their relative paths', () => {
    const picked = new File(['{}'], 'package.json');
    Object.defineProperty(picked, 'webkitRelativePath', { value: 'proj/package.json' });
    expect(filesOfInput([picked]).map((f) => f.path)).toEqual(['proj/package.json']);
  });
});

describe('zipFolder', () => {
  it('zips each file at its path with its bytes', async () => {
    const zip = await zipFolder([file('package.json', '{"name":"n"}'), file('src/index.ts', 'export {};\n')]);
    const entries = unzipSync(zip);
    expect(Object.keys(entries).sort()).toEqual(['package.json', 'src/index.ts']);
    expect(strFromU8(entries['src/index.ts'] ?? new Uint8Array())).toBe('export {};\n');
  });
});

describe('names', () => {
  it('knows archives by their extension', () => {
    expect(archiveKindOf('Proj.ZIP')).toBe('zip');
    expect(archiveKindOf('proj.tar.gz')).toBe('tar.gz');
    expect(archiveKindOf('proj.tgz')).toBe('tar.gz');
    expect(archiveKindOf('proj.rar')).toBeUndefined();
  });

  it('suggests a workspace name a workspace may have', () => {
    expect(suggestedWorkspaceName('My Chaincode_v2.zip')).toBe('my-chaincode-v2');
    expect(suggestedWorkspaceName('fabric-samples-main.tar.gz')).toBe('fabric-samples-main');
    expect(suggestedWorkspaceName('--Ünïcode--')).toBe('n-code');
    expect(suggestedWorkspaceName('x'.repeat(70))).toHaveLength(63);
  });
});
