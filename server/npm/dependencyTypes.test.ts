import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DependencyInstaller, InstalledDependencies } from './dependencyInstaller.ts';
import { collectDependencyTypes, createDependencyTypesService, typesPackageOf } from './dependencyTypes.ts';

let work: string;
let nodeModulesDir: string;
let outside: string;

async function file(relative: string, text: string): Promise<void> {
  const full = path.join(nodeModulesDir, relative);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, text);
}
const manifest = (fields: Record<string, unknown>) => JSON.stringify({ description: 'left out', scripts: { x: 'y' }, ...fields });

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ccs-dep-types-'));
  nodeModulesDir = path.join(work, 'install', 'node_modules');
  outside = path.join(work, 'outside');
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'secret.d.ts'), 'export declare const secret: string;');
  // a: own types, depends on b (top level) and c (nested, another version).
  await file('a/package.json', manifest({ name: 'a', version: '1.0.0', types: './types/index.d.ts', main: 'index.js', dependencies: { b: '^1', c: '^2' } }));
  await file('a/types/index.d.ts', "import { B } from 'b';\nexport declare function a(): B;");
  await file('a/index.js', 'module.exports = {};');
  await file('a/node_modules/c/package.json', manifest({ name: 'c', version: '2.0.0' }));
  await file('a/node_modules/c/index.d.ts', 'export declare const c2: 2;');
  await file('c/package.json', manifest({ name: 'c', version: '1.0.0' }));
  await file('c/index.d.ts', 'export declare const c1: 1;');
  await file('b/package.json', manifest({ name: 'b', version: '1.0.0', typings: 'lib/b.d.ts' }));
  await file('b/lib/b.d.ts', 'export interface B { b: true }');
  // d: no types of its own, @types/d has them.
  await file('d/package.json', manifest({ name: 'd', version: '1.0.0' }));
  await file('d/index.js', 'module.exports = 1;');
  await file('@types/d/package.json', manifest({ name: '@types/d', version: '1.0.0' }));
  await file('@types/d/index.d.ts', 'declare const d: number; export = d;');
  // @types/extra: nobody lists it, but the compiler would include it.
  await file('@types/extra/package.json', manifest({ name: '@types/extra' }));
  await file('@types/extra/index.d.ts', 'declare var extra: string;');
  await file('typescript/package.json', manifest({ name: 'typescript' }));
  await file('typescript/lib/lib.d.ts', 'interface Array<T> {}');
  // A package that links out of the install, and one whose type file links out.
  await symlink(outside, path.join(nodeModulesDir, 'evil'));
  await file('sneaky/package.json', manifest({ name: 'sneaky', types: 'index.d.ts' }));
  await file('sneaky/own.d.ts', 'export {};');
  await symlink(path.join(outside, 'secret.d.ts'), path.join(nodeModulesDir, 'sneaky', 'index.d.ts'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('dependency types for the editor', () => {
  it('serves the listed packages, their @types and what they depend on, as Node would find them, with package.json trimmed', async () => {
    const types = await collectDependencyTypes({ nodeModulesDir, key: 'k1', roots: ['a', 'd', 'typescript', 'evil', 'sneaky', '../outside', 'missing'] });
    expect(types.key).toBe('k1');
    expect(types.leftOut).toEqual([]);
    const byPath = Object.fromEntries(types.files.map((f) => [f.path, f.text]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'node_modules/a/package.json',
        'node_modules/a/types/index.d.ts',
        'node_modules/a/node_modules/c/package.json',
        'node_modules/a/node_modules/c/index.d.ts',
        'node_modules/b/package.json',
        'node_modules/b/lib/b.d.ts',
        'node_modules/@types/d/package.json',
        'node_modules/@types/d/index.d.ts',
        'node_modules/@types/extra/package.json',
        'node_modules/@types/extra/index.d.ts',
        'node_modules/sneaky/package.json',
        'node_modules/sneaky/own.d.ts',
      ].sort(),
    );
    expect(JSON.parse(byPath['node_modules/a/package.json'] ?? '')).toEqual({ name: 'a', version: '1.0.0', types: './types/index.d.ts', main: 'index.js' });
    // The listed packages come first.
    expect(types.files[0]?.path).toBe('node_modules/a/package.json');
    expect(types.files.some((f) => f.text.includes('secret'))).toBe(false);
  });

  it('leaves whole packages out past the count, size and file-size limits, and names them', async () => {
    const counted = await collectDependencyTypes({ nodeModulesDir, key: 'k', roots: ['a', 'd'] }, { maxFiles: 4 });
    expect(counted.files.map((f) => f.path)).toEqual(['node_modules/a/package.json', 'node_modules/a/types/index.d.ts', 'node_modules/@types/d/package.json', 'node_modules/@types/d/index.d.ts']);
    expect(counted.leftOut).toEqual(expect.arrayContaining(['b', 'c', '@types/extra']));

    await file('big/package.json', manifest({ name: 'big' }));
    await file('big/index.d.ts', `export declare const big: '${'x'.repeat(5000)}';`);
    const sized = await collectDependencyTypes({ nodeModulesDir, key: 'k', roots: ['big', 'b'] }, { maxBytes: 1000 });
    expect(sized.leftOut).toContain('big');
    expect(sized.files.map((f) => f.path)).toContain('node_modules/b/lib/b.d.ts');
    const perFile = await collectDependencyTypes({ nodeModulesDir, key: 'k', roots: ['big'] }, { maxFileBytes: 1000 });
    expect(perFile.files.map((f) => f.path)).not.toContain('node_modules/big/index.d.ts');
  });

  it('names the @types package of a plain and of a scoped package', () => {
    expect(typesPackageOf('lodash')).toBe('@types/lodash');
    expect(typesPackageOf('@grpc/grpc-js')).toBe('@types/grpc__grpc-js');
    expect(typesPackageOf('@types/node')).toBeUndefined();
  });

  it('serves nothing before an install, then the install the workspace lists, collected once per key', async () => {
    const workspaceDir = path.join(work, 'ws');
    await mkdir(workspaceDir);
    await writeFile(path.join(workspaceDir, 'package.json'), JSON.stringify({ dependencies: { a: '^1' }, devDependencies: { d: '^1' } }));
    const cache: { found?: InstalledDependencies } = {};
    const installer: DependencyInstaller = { install: () => Promise.reject(new Error('never installs')), installed: async () => cache.found };
    const service = createDependencyTypesService(installer);
    expect(await service.typesOf(workspaceDir)).toEqual({ key: null, files: [], leftOut: [] });
    cache.found = { nodeModulesDir, key: 'k2', packages: 5, fromCache: true, durationMs: 1 };
    const first = await service.typesOf(workspaceDir);
    expect(first.key).toBe('k2');
    expect(first.files.map((f) => f.path)).toContain('node_modules/@types/d/index.d.ts');
    expect(await service.typesOf(workspaceDir)).toBe(first);
  });
});
