import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/config.ts';
import { goMessage, standbyNodeFlags, standbyProcessFile } from './chaincodeStandby.mjs';
import { codeCacheBuildFile } from './codeCache.mjs';

const runtime = path.join(projectRoot, 'node_modules');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

/** A chaincode folder whose code leaves a mark when it is loaded. */
async function chaincodeDir(): Promise<{ dir: string; mark: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'standby-'));
  dirs.push(dir);
  const mark = path.join(dir, 'loaded');
  await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'marked', version: '1.0.0', main: 'index.js' }));
  const code = `require('fs').writeFileSync(${JSON.stringify(mark)}, process.cwd());
const { Contract } = require('fabric-contract-api');
class Marked extends Contract {}
module.exports.contracts = [Marked];
`;
  await fs.writeFile(path.join(dir, 'index.js'), code);
  return { dir, mark };
}

/** A standby as the agent starts it (minus the uid change), its output collected. */
function standby(dir: string, peerAddress: string, codeCache = path.join(os.tmpdir(), 'no-code-cache.bin')): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...standbyNodeFlags, standbyProcessFile, runtime, dir, codeCache, 'start', '--peer.address', peerAddress], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '', NODE_PATH: runtime, CORE_CHAINCODE_LOGGING_LEVEL: 'info', CORE_PEER_TLS_ENABLED: 'false' },
  });
  children.push(child);
  let text = '';
  child.stdout.on('data', (chunk) => (text += String(chunk)));
  child.stderr.on('data', (chunk) => (text += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** The runtime's code cache, made as the image build makes it. */
async function buildCodeCache(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'code-cache-'));
  dirs.push(dir);
  const file = path.join(dir, 'code-cache.bin');
  const built = spawnSync(process.execPath, [codeCacheBuildFile, runtime, file, runtime], { encoding: 'utf8' });
  expect(built.stderr).toBe('');
  expect(built.stdout).toMatch(/Cached the compiled code of \d+ files/);
  return file;
}

const until = async (condition: () => boolean, ms = 30_000) => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(condition()).toBe(true);
};

describe('the standby chaincode process', { timeout: 60_000 }, () => {
  it.each([
    ['as Node compiles it', false],
    ['through the code cache made at image build', true],
  ])('loads the runtime %s, runs no chaincode code before the go, then registers as the chaincode the go names, in its folder', async (_how, cached) => {
    // A port nothing listens on: the shim says whom it registers as, then fails to connect.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));

    const { dir, mark } = await chaincodeDir();
    const s = standby(dir, `127.0.0.1:${port}`, cached ? await buildCodeCache() : undefined);
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(mark)).toBe(false);
    s.child.stdin?.end(goMessage({ env: { CORE_CHAINCODE_ID_NAME: 'marked_studio:abc' }, debug: false, waitForDebugger: false }));
    await until(() => s.output().includes(`Registering with peer 127.0.0.1:${port} as chaincode "marked_studio:abc"`));
    expect(await fs.readFile(mark, 'utf8')).toBe(await fs.realpath(dir));
  });

  it('ends without loading the chaincode when the agent closes its stdin', async () => {
    const { dir, mark } = await chaincodeDir();
    const s = standby(dir, '127.0.0.1:1');
    s.child.stdin?.end();
    expect(await s.exited).toBe(0);
    expect(existsSync(mark)).toBe(false);
  });
});
