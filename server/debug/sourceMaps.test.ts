import { spawnSync } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugSourceMapMaxBytes } from '../config.ts';
import { SourceMapRegistry } from './sourceMaps.ts';

// One mapping: generated line 1, column 0 → the first source, line 1, column 0.
const mapNaming = (source: string, padBytes = 0): string =>
  JSON.stringify({ version: 3, sources: [source], names: [], mappings: 'AAAA' }) + ' '.repeat(padBytes);

let root: string;
let buildDir: string;
let outsideMap: string;
let fifo: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'studio-maps-'));
  buildDir = path.join(root, 'build');
  const outsideDir = path.join(root, 'host');
  await fs.mkdir(path.join(buildDir, 'maps'), { recursive: true });
  await fs.mkdir(outsideDir);
  outsideMap = path.join(outsideDir, 'secret.map');
  await fs.writeFile(outsideMap, mapNaming('leaked-from-host.ts'));
  await fs.writeFile(path.join(buildDir, 'main.js'), 'exports.x = 1;\n');
  await fs.writeFile(path.join(buildDir, 'beside.js'), 'exports.x = 1;\n');
  await fs.writeFile(path.join(buildDir, 'maps', 'good.js.map'), mapNaming('good.ts'));
  await fs.writeFile(path.join(buildDir, 'maps', 'big.map'), mapNaming('big.ts', debugSourceMapMaxBytes));
  await fs.symlink(outsideMap, path.join(buildDir, 'maps', 'link.map'));
  await fs.symlink(outsideMap, path.join(buildDir, 'beside.js.map'));
  await fs.symlink('/dev/zero', path.join(buildDir, 'maps', 'zero.map'));
  await fs.symlink(outsideDir, path.join(buildDir, 'hostdir'));
  fifo = path.join(buildDir, 'maps', 'fifo.map');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
});

afterAll(async () => {
  // Releases a reader that blocked on the FIFO (only code without the fix opens it that way).
  await fs
    .open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
    .then((h) => h.close())
    .catch(() => undefined);
  await fs.rm(root, { recursive: true, force: true });
});

/** The source name the debugger shows for line 1 of `script` when the script names `sourceMapUrl`. */
async function shownName(script: string, sourceMapUrl?: string): Promise<string | undefined> {
  const registry = new SourceMapRegistry({ scriptRoot: '/chaincode', buildDir });
  return (await registry.originalPosition(path.join(buildDir, script), 0, 0, sourceMapUrl))?.name;
}

const dataUrl = (text: string): string => `data:application/json;base64,${Buffer.from(text).toString('base64')}`;

describe('source maps a script points at', () => {
  it('reads a relative map inside the build dir and an inline one', async () => {
    expect(await shownName('main.js', 'maps/good.js.map')).toBe('good.ts');
    expect(await shownName('main.js', dataUrl(mapNaming('inline.ts')))).toBe('inline.ts');
  });

  it.each([
    ['an absolute path outside the build dir', () => outsideMap],
    ['a ../ path out of the build dir', () => '../host/secret.map'],
    ['a symbolic link out of the build dir', () => 'maps/link.map'],
    ['a path through a linked directory out of the build dir', () => 'hostdir/secret.map'],
  ])('ignores %s and shows the script itself', { timeout: 5000 }, async (_name, url) => {
    expect(await shownName('main.js', url())).toBe('main.js');
  });

  it('ignores a map beside the script that links out of the build dir', { timeout: 5000 }, async () => {
    expect(await shownName('beside.js')).toBe('beside.js');
  });

  it('does not block on a FIFO', { timeout: 5000 }, async () => {
    expect(await shownName('main.js', 'maps/fifo.map')).toBe('main.js');
  });

  // Reading /dev/zero until Node gives up takes over a second and gigabytes; a refusal takes milliseconds.
  it('does not read a device behind a link', { timeout: 1000 }, async () => {
    expect(await shownName('main.js', 'maps/zero.map')).toBe('main.js');
  });

  it(`ignores a map file or an inline map over ${debugSourceMapMaxBytes} bytes`, { timeout: 20_000 }, async () => {
    expect(await shownName('main.js', 'maps/big.map')).toBe('main.js');
    expect(await shownName('main.js', dataUrl(mapNaming('big-inline.ts', debugSourceMapMaxBytes)))).toBe('main.js');
  });
});
