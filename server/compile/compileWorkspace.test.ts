import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TraceMap, generatedPositionFor, originalPositionFor, type SourceMapInput } from '@jridgewell/trace-mapping';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoot, samplesDir } from '../config.ts';
import { adoptBuild, compileWorkspace, warmUpCompiler } from './compileWorkspace.ts';

const run = promisify(execFile);

/** Loads the build the way the sandbox does (NODE_PATH at preinstalled Fabric packages) and lists its contracts. */
async function loadContracts(outDir: string): Promise<string[]> {
  const script = "const m = require(process.cwd()); process.stdout.write(JSON.stringify(m.contracts.map((c) => c.name)));";
  const { stdout } = await run(process.execPath, ['-e', script], {
    cwd: outDir,
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(projectRoot, 'node_modules'), CORE_CHAINCODE_LOGGING_LEVEL: 'error' },
  });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('['))) as string[];
}

async function lineOf(file: string, needle: string): Promise<number> {
  const index = (await fs.readFile(file, 'utf8')).split('\n').findIndex((line) => line.includes(needle));
  expect(index).toBeGreaterThanOrEqual(0);
  return index + 1;
}

// Each compile worker loads the compiler on its first compile: seconds on a busy machine.
describe('compileWorkspace', { timeout: 60_000 }, () => {
  let base: string;
  let outDir: string;

  async function copySample(name: string, as: string): Promise<string> {
    const dir = path.join(base, as);
    await fs.cp(path.join(samplesDir, name), dir, { recursive: true });
    return dir;
  }

  /** What sits beside outDir: only outDir itself, never a leftover temporary or old build. */
  async function besideOutDir(): Promise<string[]> {
    return (await fs.readdir(path.dirname(outDir))).filter((name) => name.startsWith('out'));
  }

  beforeEach(async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'compile-workspace-')));
    outDir = path.join(base, 'builds', 'out');
  });

  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  // First in the file, so the cold compile really is the first one in this process.
  it('recompiles faster after a one-line change than the first time', async () => {
    const ws = await copySample('asset-transfer-ts', 'timed');
    const cold = await compileWorkspace(ws, outDir);
    expect(cold.ok).toBe(true);
    const file = path.join(ws, 'src', 'assetTransferContract.ts');
    const source = await fs.readFile(file, 'utf8');
    const warm: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      await fs.writeFile(file, source.replace('CreateAsset ${id} owned by', `CreateAsset ${i} \${id} owned by`));
      const result = await compileWorkspace(ws, outDir);
      expect(result.ok).toBe(true);
      warm.push(result.durationMs);
    }
    const fastest = Math.min(...warm);
    console.log(`TypeScript sample: cold ${cold.durationMs.toFixed(0)} ms, warm ${warm.map((ms) => ms.toFixed(0)).join('/')} ms`);
    expect(fastest).toBeLessThan(cold.durationMs / 2);
    expect(await fs.readFile(path.join(outDir, 'dist', 'assetTransferContract.js'), 'utf8')).toContain('CreateAsset 2 ');
  });

  it('compiles the TypeScript sample into a runnable package with source maps', async () => {
    const ws = await copySample('asset-transfer-ts', 'ts');
    const result = await compileWorkspace(ws, outDir);
    expect(result).toMatchObject({ ok: true, language: 'typescript', diagnostics: [], entry: 'dist/index.js' });

    const pkg = JSON.parse(await fs.readFile(path.join(outDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ name: 'asset-transfer-ts', main: 'dist/index.js' });
    for (const file of ['index.js', 'asset.js', 'json.js', 'assetTransferContract.js', 'assetTransferContract.js.map']) {
      await expect(fs.access(path.join(outDir, 'dist', file))).resolves.toBeUndefined();
    }
    expect(await besideOutDir()).toEqual(['out']);

    const sourcePath = path.join(ws, 'src', 'assetTransferContract.ts');
    const map = JSON.parse(await fs.readFile(path.join(outDir, 'dist', 'assetTransferContract.js.map'), 'utf8')) as {
      sources: string[];
      sourcesContent: string[];
      sourceRoot?: string;
    };
    expect(map.sources).toEqual(['../src/assetTransferContract.ts']);
    expect(map.sourcesContent).toEqual([await fs.readFile(sourcePath, 'utf8')]);
    expect(map.sourceRoot ?? '').toBe('');

    const tracer = new TraceMap(map as SourceMapInput);
    const line = await lineOf(sourcePath, 'already exists');
    const generated = generatedPositionFor(tracer, { source: '../src/assetTransferContract.ts', line, column: 6 });
    expect(generated.line).not.toBeNull();
    const js = (await fs.readFile(path.join(outDir, 'dist', 'assetTransferContract.js'), 'utf8')).split('\n');
    expect(js[(generated.line ?? 0) - 1]).toContain('already exists');
    expect(originalPositionFor(tracer, { line: generated.line ?? 0, column: generated.column ?? 0 })).toMatchObject({
      source: '../src/assetTransferContract.ts',
      line,
    });

    expect(await loadContracts(outDir)).toEqual(['AssetTransferContract']);
  });

  it('reports a type error with file, line, column and code, and keeps the previous build', async () => {
    const ws = await copySample('asset-transfer-ts', 'ts-error');
    expect((await compileWorkspace(ws, outDir)).ok).toBe(true);
    const before = await fs.readFile(path.join(outDir, 'dist', 'assetTransferContract.js'), 'utf8');

    const file = path.join(ws, 'src', 'assetTransferContract.ts');
    const source = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, source.replace('const oldOwner = asset.Owner;', 'const oldOwner: number = asset.Owner;'));
    const line = await lineOf(file, 'const oldOwner: number');
    const column = (await fs.readFile(file, 'utf8')).split('\n')[line - 1]?.indexOf('oldOwner') ?? -1;

    const result = await compileWorkspace(ws, outDir);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toContainEqual({
      file: 'src/assetTransferContract.ts',
      line,
      column: column + 1,
      endLine: line,
      endColumn: column + 1 + 'oldOwner'.length,
      severity: 'error',
      message: "Type 'string' is not assignable to type 'number'.",
      code: 'TS2322',
    });
    expect(await fs.readFile(path.join(outDir, 'dist', 'assetTransferContract.js'), 'utf8')).toBe(before);
    expect(await besideOutDir()).toEqual(['out']);
  });

  it('compiles a workspace without tsconfig.json from src/', async () => {
    const ws = await copySample('asset-transfer-ts', 'no-config');
    await fs.rm(path.join(ws, 'tsconfig.json'));
    const result = await compileWorkspace(ws, outDir);
    expect(result).toMatchObject({ ok: true, language: 'typescript', entry: 'dist/index.js' });
    expect(await loadContracts(outDir)).toEqual(['AssetTransferContract']);
  });

  it('resolves only the provided Fabric packages, not modules from folders around the workspace', async () => {
    await fs.mkdir(path.join(base, 'node_modules', 'leftpad'), { recursive: true });
    await fs.writeFile(path.join(base, 'node_modules', 'leftpad', 'index.d.ts'), 'export declare const pad: number;\n');
    await fs.writeFile(path.join(base, 'secret.ts'), 'export const secret = "TOP-SECRET";\n');
    const ws = await copySample('asset-transfer-ts', 'confined');
    await fs.writeFile(path.join(ws, 'src', 'escape.ts'), "import { pad } from 'leftpad';\nimport { secret } from '../../secret';\nexport const x = [pad, secret];\n");

    const result = await compileWorkspace(ws, outDir);
    expect(result.ok).toBe(false);
    const unresolved = result.diagnostics.filter((d) => d.code === 'TS2307');
    expect(unresolved.map((d) => [d.file, d.line])).toEqual([
      ['src/escape.ts', 1],
      ['src/escape.ts', 2],
    ]);
    expect(JSON.stringify(result.diagnostics)).not.toContain('TOP-SECRET');
  });

  it('refuses to read files outside the workspace named by tsconfig.json', async () => {
    await fs.writeFile(path.join(base, 'outside.ts'), 'export const secret: number = "TOP-SECRET";\n');
    const ws = await copySample('asset-transfer-ts', 'config-escape');
    await fs.writeFile(path.join(ws, 'tsconfig.json'), JSON.stringify({ extends: '../outside.json', files: ['../outside.ts', 'src/index.ts'] }));
    await fs.writeFile(path.join(base, 'outside.json'), JSON.stringify({ compilerOptions: { outDir: 'TOP-SECRET' } }));
    const result = await compileWorkspace(ws, outDir);
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => [d.file, d.code])).toEqual([
      ['tsconfig.json', 'TS5012'],
      ['tsconfig.json', 'TS5083'],
      ['tsconfig.json', 'TS6053'],
    ]);
    expect(JSON.stringify(result.diagnostics)).not.toContain('TOP-SECRET');
    expect(JSON.stringify(result.diagnostics)).not.toContain(ws);
    await expect(fs.access(outDir)).rejects.toThrow();
  });

  it('names a missing entry point', async () => {
    const ws = await copySample('asset-transfer-ts', 'no-entry');
    await fs.rename(path.join(ws, 'src', 'index.ts'), path.join(ws, 'src', 'main.ts'));
    const result = await compileWorkspace(ws, outDir);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ file: 'package.json', message: expect.stringContaining('no entry point') }));
    await expect(fs.access(outDir)).rejects.toThrow();
    expect(await besideOutDir()).toEqual([]);
  });

  it('copies the JavaScript sample as it is and it loads', async () => {
    const ws = await copySample('asset-transfer-js', 'js');
    await fs.mkdir(path.join(ws, 'node_modules', 'junk'), { recursive: true });
    await fs.writeFile(path.join(ws, 'node_modules', 'junk', 'index.js'), 'module.exports = 1;\n');
    const result = await compileWorkspace(ws, outDir);
    expect(result).toMatchObject({ ok: true, language: 'javascript', diagnostics: [], entry: 'index.js' });
    for (const file of ['index.js', 'lib/assetTransferContract.js', 'lib/json.js', 'studio.json']) {
      expect(await fs.readFile(path.join(outDir, file), 'utf8')).toBe(await fs.readFile(path.join(ws, file), 'utf8'));
    }
    await expect(fs.access(path.join(outDir, 'node_modules'))).rejects.toThrow();
    expect(JSON.parse(await fs.readFile(path.join(outDir, 'package.json'), 'utf8'))).toMatchObject({ name: 'asset-transfer-js', main: 'index.js' });
    expect(await loadContracts(outDir)).toEqual(['AssetTransferContract']);
  });

  it("copies a JSON file whose root is an array (Fabric's collections_config.json), and still names a broken one", async () => {
    const ws = await copySample('asset-transfer-js', 'js-collections');
    const collections = `${JSON.stringify([{ name: 'notes', policy: "OR('Org1MSP.member')" }], null, 2)}\n`;
    await fs.writeFile(path.join(ws, 'collections_config.json'), collections);
    expect(await compileWorkspace(ws, outDir)).toMatchObject({ ok: true, diagnostics: [] });
    expect(await fs.readFile(path.join(outDir, 'collections_config.json'), 'utf8')).toBe(collections);

    await fs.writeFile(path.join(ws, 'collections_config.json'), '[{ "name": }]');
    const broken = await compileWorkspace(ws, outDir);
    expect(broken.ok).toBe(false);
    expect(broken.diagnostics[0]).toMatchObject({ file: 'collections_config.json', line: 1, severity: 'error' });
  });

  it('reports a syntax error in the JavaScript sample with file and line', async () => {
    const ws = await copySample('asset-transfer-js', 'js-error');
    const file = path.join(ws, 'lib', 'assetTransferContract.js');
    const source = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, source.replace('async DeleteAsset(ctx, id) {', 'async DeleteAsset(ctx, id {'));
    const line = await lineOf(file, 'async DeleteAsset(ctx, id {');

    const result = await compileWorkspace(ws, outDir);
    expect(result.ok).toBe(false);
    expect(result.language).toBe('javascript');
    const [first] = result.diagnostics;
    expect(first).toMatchObject({ file: 'lib/assetTransferContract.js', line, severity: 'error', code: 'TS1005', message: "',' expected." });
    const broken = (await fs.readFile(file, 'utf8')).split('\n')[line - 1] ?? '';
    expect(first?.column).toBe(broken.indexOf('id {') + 'id '.length + 1);
    await expect(fs.access(outDir)).rejects.toThrow();
  });

  it('takes over a build made ahead of need only while the workspace is as it was built', async () => {
    const ws = await copySample('asset-transfer-js', 'ahead');
    const ahead = path.join(base, 'ahead-build', 'app');
    expect((await compileWorkspace(ws, ahead, { reuseUnchanged: true })).ok).toBe(true);
    expect(await adoptBuild(ws, ahead, outDir)).toBe(true);
    expect(await loadContracts(outDir)).toEqual(['AssetTransferContract']);
    const again = await compileWorkspace(ws, outDir, { reuseUnchanged: true });
    expect(again.reused).toBe(true);
    expect(await besideOutDir()).toEqual(['out', 'out.stamp.json']);

    const file = path.join(ws, 'lib', 'assetTransferContract.js');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('does not exist', 'is not there'));
    const other = path.join(base, 'elsewhere', 'app');
    expect(await adoptBuild(ws, ahead, other)).toBe(false);
    await expect(fs.access(other)).rejects.toThrow();
    expect((await compileWorkspace(ws, outDir, { reuseUnchanged: true })).reused).toBeFalsy();
  });

  it('warms up in a throwaway folder and leaves nothing behind', async () => {
    const leftovers = async (): Promise<string[]> => (await fs.readdir(os.tmpdir())).filter((name) => name.startsWith('studio-warm-up-'));
    const before = await leftovers();
    await warmUpCompiler();
    expect(await leftovers()).toEqual(before);
  });

  it('reports a broken package.json', async () => {
    const ws = await copySample('asset-transfer-js', 'bad-manifest');
    await fs.writeFile(path.join(ws, 'package.json'), '{\n  "name": "x",\n  "main": \n}\n');
    const result = await compileWorkspace(ws, outDir);
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({ file: 'package.json', line: 4, severity: 'error' });
  });
});
