import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/config.ts';
import { standbyNodeFlags } from './chaincodeStandby.mjs';
import { codeCacheBuildFile } from './codeCache.mjs';

const runtime = path.join(projectRoot, 'node_modules');
const codeCacheModule = path.join(import.meta.dirname, 'codeCache.mjs');
const preloadModule = path.join(import.meta.dirname, 'standbyPreload.mjs');
let dir: string;
let cacheFile: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'code-cache-'));
  cacheFile = path.join(dir, 'code-cache.bin');
  const built = spawnSync(process.execPath, [codeCacheBuildFile, runtime, cacheFile, runtime], { encoding: 'utf8' });
  expect(built.stderr).toBe('');
  expect(built.stdout).toMatch(/Cached the compiled code of \d+ files of the chaincode runtime/);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** A process loading the runtime as a standby does, with `flags`; what it saw. */
function loadInChild(flags: string[], file: string): { accepted: number; rejected: number; contract: string; nodeCompileBack: boolean; userCompiledByNode: boolean } {
  const script = `
import Module, { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { useCodeCache } from ${JSON.stringify(codeCacheModule)};
import { preloadRuntime } from ${JSON.stringify(preloadModule)};
const nodeCompile = Module.prototype._compile;
const cache = useCodeCache(${JSON.stringify(runtime)}, ${JSON.stringify(file)});
const require = createRequire(import.meta.url);
preloadRuntime(require, ${JSON.stringify(runtime)});
cache.done();
const { Contract } = require(${JSON.stringify(path.join(runtime, 'fabric-contract-api'))});
// A file of the chaincode's, loaded after: Node's own compile, which names its first line's columns as written.
const user = path.join(${JSON.stringify(dir)}, 'user.js');
fs.writeFileSync(user, 'module.exports = new Error("here").stack.split("\\\\n")[1];');
const where = require(user);
console.log(JSON.stringify({ ...cache.use, contract: typeof Contract, nodeCompileBack: Module.prototype._compile === nodeCompile, userCompiledByNode: where.endsWith('user.js:1:18)') }));
`;
  const child = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as ReturnType<typeof loadInChild>;
}

describe('the chaincode runtime code cache', { timeout: 60_000 }, () => {
  it('is taken for every runtime file under the standby flags, and the runtime works from it', () => {
    const seen = loadInChild(standbyNodeFlags, cacheFile);
    expect(seen.accepted).toBeGreaterThan(100);
    expect(seen.rejected).toBe(0);
    expect(seen.contract).toBe('function');
  });

  it("gives the chaincode's own files back to Node's compile once the runtime has loaded", () => {
    const seen = loadInChild(standbyNodeFlags, cacheFile);
    expect(seen.nodeCompileBack).toBe(true);
    expect(seen.userCompiledByNode).toBe(true);
  });

  it('is refused by V8 under other flags, and the runtime still loads', () => {
    const seen = loadInChild([], cacheFile);
    expect(seen.accepted).toBe(0);
    expect(seen.rejected).toBeGreaterThan(100);
    expect(seen.contract).toBe('function');
  });

  it('names each runtime file by where the runtime is when the cache is used, not where it was made', async () => {
    // A runtime of the same shape whose every file can say where it is, made in one place and used in another.
    const made = path.join(dir, 'made', 'node_modules');
    const used = path.join(dir, 'used', 'node_modules');
    const files = ['fabric-shim/lib/chaincode.js', 'fabric-shim/lib/cmds/metadata.js', 'fabric-shim/lib/cmds/serverCommand.js', 'fabric-shim/lib/cmds/startCommand.js', 'fabric-shim/lib/contract-spi/bootstrap.js', 'fabric-contract-api/index.js'];
    for (const file of files) {
      await fs.mkdir(path.dirname(path.join(made, file)), { recursive: true });
      await fs.writeFile(path.join(made, file), 'exports.where = function where() { return new Error("here").stack.split("\\n")[1]; };\n');
    }
    await fs.mkdir(path.join(made, 'ajv'));
    await fs.writeFile(path.join(made, 'ajv', 'index.js'), 'module.exports = class { getSchema() { return () => true; } };\n');
    const cache = path.join(dir, 'moved.bin');
    const built = spawnSync(process.execPath, [codeCacheBuildFile, made, cache, used], { encoding: 'utf8' });
    expect(built.stdout).toMatch(/Cached the compiled code of 7 files/);
    await fs.cp(made, used, { recursive: true });
    const script = `
import { createRequire } from 'node:module';
import { useCodeCache } from ${JSON.stringify(codeCacheModule)};
import { preloadRuntime } from ${JSON.stringify(preloadModule)};
const cache = useCodeCache(${JSON.stringify(used)}, ${JSON.stringify(cache)});
const require = createRequire(import.meta.url);
preloadRuntime(require, ${JSON.stringify(used)});
cache.done();
console.log(JSON.stringify({ ...cache.use, where: require(${JSON.stringify(path.join(used, 'fabric-contract-api'))}).where() }));
`;
    const child = spawnSync(process.execPath, [...standbyNodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const seen = JSON.parse(child.stdout) as { accepted: number; where: string };
    expect(seen.accepted).toBe(7);
    expect(seen.where).toContain(path.join(used, 'fabric-contract-api', 'index.js'));
  });

  it('is left alone when the file is missing or is not a cache', async () => {
    const garbage = path.join(dir, 'garbage.bin');
    await fs.writeFile(garbage, 'not a code cache');
    for (const file of [garbage, path.join(dir, 'missing.bin')]) {
      const seen = loadInChild(standbyNodeFlags, file);
      expect(seen).toMatchObject({ accepted: 0, rejected: 0, contract: 'function', nodeCompileBack: true });
    }
  });
});
