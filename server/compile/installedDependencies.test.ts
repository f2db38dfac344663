import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTypeScript } from './typescriptBuild.ts';

/** Writes `files` (path → content) under `root`. */
async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await fs.writeFile(path.join(root, name), content);
  }
}

const source = [
  "import { tiny } from 'tiny-typed';",
  "import { untyped } from 'tiny-untyped';",
  'export function use(): number {',
  "  const unused = 1;",
  "  return tiny('a') + untyped;",
  '}',
  '',
].join('\n');

// Offline: the "installed" folder is a fake made here, shaped like npm's node_modules.
describe('TypeScript with installed dependencies', { timeout: 60_000 }, () => {
  let base: string;
  let workspace: string;
  let installed: string;

  beforeEach(async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'installed-deps-')));
    workspace = path.join(base, 'ws');
    installed = path.join(base, 'cache', 'key', 'node_modules');
    await writeTree(workspace, {
      'tsconfig.json': JSON.stringify({ extends: '@tsconfig/node20/tsconfig.json', include: ['src'] }),
      'src/index.ts': source,
    });
    await writeTree(installed, {
      // The base turns on a check the workspace's own tsconfig does not: its effect shows the base was read.
      '@tsconfig/node20/package.json': JSON.stringify({ name: '@tsconfig/node20', version: '20.1.0' }),
      '@tsconfig/node20/tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noUnusedLocals: true, lib: ['es2023'] } }),
      'tiny-typed/package.json': JSON.stringify({ name: 'tiny-typed', version: '1.0.0', main: 'index.js', types: 'index.d.ts' }),
      'tiny-typed/index.js': 'exports.tiny = (s) => s.length;\n',
      'tiny-typed/index.d.ts': 'export declare function tiny(text: string): number;\n',
      'tiny-untyped/package.json': JSON.stringify({ name: 'tiny-untyped', version: '1.0.0', main: 'index.js' }),
      'tiny-untyped/index.js': 'exports.untyped = 2;\n',
      '@types/tiny-untyped/package.json': JSON.stringify({ name: '@types/tiny-untyped', version: '1.0.0', types: 'index.d.ts' }),
      '@types/tiny-untyped/index.d.ts': 'export declare const untyped: number;\n',
    });
  });

  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it('resolves a tsconfig base, a typed package and @types from the installed folder', () => {
    const build = buildTypeScript(workspace, path.join(base, 'out'), false, installed);
    // The only error is the base's noUnusedLocals: extends, both imports and @types resolved.
    expect(build.diagnostics.map((d) => `${d.file} ${d.message}`)).toEqual([expect.stringMatching(/^src\/index\.ts .*'unused' is declared but its value is never read/)]);
  });

  it('emits once the code satisfies the base', async () => {
    await fs.writeFile(path.join(workspace, 'src/index.ts'), source.replace('  const unused = 1;\n', ''));
    const build = buildTypeScript(workspace, path.join(base, 'out'), false, installed);
    expect(build.diagnostics).toEqual([]);
    expect(build.emitted).toContain('dist/index.js');
    expect(await fs.readFile(path.join(base, 'out', 'dist', 'index.js'), 'utf8')).toContain('require("tiny-typed")');
  });

  it('finds none of them without the installed folder', () => {
    const messages = buildTypeScript(workspace, path.join(base, 'out'), false).diagnostics.map((d) => d.message).join('\n');
    expect(messages).toMatch(/@tsconfig\/node20\/tsconfig\.json/);
    expect(messages).toMatch(/Cannot find module 'tiny-typed'/);
  });

  it('compiles against new dependencies rather than the Program kept from the old ones', async () => {
    await fs.writeFile(path.join(workspace, 'src/index.ts'), source.replace('  const unused = 1;\n', ''));
    expect(buildTypeScript(workspace, path.join(base, 'out1'), true, installed).diagnostics).toEqual([]);
    const other = path.join(base, 'cache', 'other', 'node_modules');
    await fs.cp(installed, other, { recursive: true });
    await fs.writeFile(path.join(other, 'tiny-typed/index.d.ts'), 'export declare function tiny(text: number): number;\n');
    const build = buildTypeScript(workspace, path.join(base, 'out2'), true, other);
    expect(build.reusedProgram).toBe(false);
    expect(build.diagnostics.map((d) => d.message).join('\n')).toMatch(/not assignable to parameter of type 'number'/);
  });

  it('does not follow a link in the installed folder out of it', async () => {
    const outside = path.join(base, 'outside');
    await writeTree(outside, { 'index.d.ts': 'export declare function tiny(text: string): number;\n', 'package.json': JSON.stringify({ name: 'x', types: 'index.d.ts' }) });
    await fs.rm(path.join(installed, 'tiny-typed'), { recursive: true });
    await fs.symlink(outside, path.join(installed, 'tiny-typed'));
    const messages = buildTypeScript(workspace, path.join(base, 'out'), false, installed).diagnostics.map((d) => d.message).join('\n');
    expect(messages).toMatch(/Cannot find module 'tiny-typed'/);
  });
});
