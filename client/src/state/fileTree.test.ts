import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../../../protocol/messages.ts';
import { baseName, buildFileTree, isUnderPath, parentOf, visibleRows } from './fileTree.ts';
import type { TreeNode } from './fileTree.ts';

const outline = (nodes: TreeNode[], depth = 0): string[] =>
  nodes.flatMap((n) => [`${'  '.repeat(depth)}${n.name}${n.kind === 'dir' ? '/' : ''}`, ...outline(n.children, depth + 1)]);

describe('buildFileTree', () => {
  it('nests files under folders, folders first, each level sorted by name', () => {
    const tree = buildFileTree([
      { path: 'package.json', kind: 'file' },
      { path: 'src/lib/util.ts', kind: 'file' },
      { path: 'src/index.ts', kind: 'file' },
      { path: 'src', kind: 'dir' },
      { path: 'empty', kind: 'dir' },
      { path: 'README.md', kind: 'file' },
    ]);
    expect(outline(tree)).toEqual(['empty/', 'src/', '  lib/', '    util.ts', '  index.ts', 'package.json', 'README.md']);
    expect(tree[1]?.children[0]?.path).toBe('src/lib');
  });

  it('does not list a file twice', () => {
    const tree = buildFileTree([
      { path: 'a.ts', kind: 'file' },
      { path: 'a.ts', kind: 'file' },
    ]);
    expect(outline(tree)).toEqual(['a.ts']);
  });
});

describe('path helpers', () => {
  it('split and compare paths', () => {
    expect(parentOf('src/lib/a.ts')).toBe('src/lib');
    expect(parentOf('a.ts')).toBe('');
    expect(baseName('src/lib/a.ts')).toBe('a.ts');
    expect(isUnderPath('src/lib/a.ts', 'src/lib')).toBe(true);
    expect(isUnderPath('src/lib2/a.ts', 'src/lib')).toBe(false);
  });
});

describe('visibleRows', () => {
  const tree = buildFileTree([
    { path: 'src/a.ts', kind: 'file' },
    { path: 'src/lib/b.ts', kind: 'file' },
    { path: 'package.json', kind: 'file' },
  ] as FileEntry[]);

  it('lists open folders with their children, with level and place among siblings', () => {
    expect(visibleRows(tree, new Set()).map((r) => `${r.level}:${r.position}/${r.siblings}:${r.node.path}`)).toEqual([
      '1:1/2:src',
      '2:1/2:src/lib',
      '3:1/1:src/lib/b.ts',
      '2:2/2:src/a.ts',
      '1:2/2:package.json',
    ]);
  });

  it('leaves out what a closed folder holds', () => {
    expect(visibleRows(tree, new Set(['src/lib'])).map((r) => r.node.path)).toEqual(['src', 'src/lib', 'src/a.ts', 'package.json']);
  });
});
