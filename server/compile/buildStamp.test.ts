import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildInputs, readBuildStamp, removeBuildStamp, writeBuildStamp } from './buildStamp.ts';

let root: string;
let workspace: string;
let outDir: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'build-stamp-'));
  workspace = path.join(root, 'ws');
  outDir = path.join(root, 'build', 'app');
  await fs.mkdir(path.join(workspace, 'src'), { recursive: true });
  await fs.writeFile(path.join(workspace, 'src', 'index.ts'), 'export const contracts = [];\n');
  await fs.writeFile(path.join(workspace, 'package.json'), '{"name":"x"}\n');
  await fs.mkdir(path.join(outDir, 'dist'), { recursive: true });
  await fs.writeFile(path.join(outDir, 'dist', 'index.js'), 'exports.contracts = [];\n');
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

it('changes with any source, its name, or the dependencies, and not with what never goes into a build', async () => {
  const first = await buildInputs(workspace, undefined);
  expect(await buildInputs(workspace, undefined)).toBe(first);
  await fs.mkdir(path.join(workspace, '.studio'));
  await fs.writeFile(path.join(workspace, '.studio', 'settings.json'), '{}');
  await fs.mkdir(path.join(workspace, 'node_modules'));
  expect(await buildInputs(workspace, undefined)).toBe(first);
  expect(await buildInputs(workspace, '/deps/abc')).not.toBe(first);
  await fs.writeFile(path.join(workspace, 'src', 'index.ts'), 'export const contracts = [1];\n');
  const edited = await buildInputs(workspace, undefined);
  expect(edited).not.toBe(first);
  await fs.rename(path.join(workspace, 'src', 'index.ts'), path.join(workspace, 'src', 'main.ts'));
  expect(await buildInputs(workspace, undefined)).not.toBe(edited);
});

it('finds a stamp only for the same inputs and while the build it describes is there', async () => {
  const inputs = (await buildInputs(workspace, undefined)) ?? '';
  const stamp = { inputs, language: 'typescript' as const, entry: 'dist/index.js', diagnostics: [] };
  await writeBuildStamp(outDir, stamp);
  expect(await readBuildStamp(outDir, inputs)).toEqual(stamp);
  expect(await readBuildStamp(outDir, 'other')).toBeUndefined();
  await fs.rm(path.join(outDir, 'dist', 'index.js'));
  expect(await readBuildStamp(outDir, inputs)).toBeUndefined();
  await removeBuildStamp(outDir);
  await fs.writeFile(path.join(outDir, 'dist', 'index.js'), '');
  expect(await readBuildStamp(outDir, inputs)).toBeUndefined();
});
