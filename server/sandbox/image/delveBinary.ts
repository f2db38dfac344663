/**
 * Delve for the sandbox image: built once from its Go module (cgo off, so the
 * binary is static and runs on the image's bare Debian) into the cache.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { cacheDir, delveVersion } from '../../config.ts';
import { ErrorCode, StudioError } from '../../errors.ts';
import { goEnvironment } from '../../golang/goCommand.ts';

/** Builds `dlv` at `delveVersion` unless the cache has it; returns its path. */
export async function ensureDelve(progress: (step: string, message: string) => void): Promise<string> {
  const dir = path.join(cacheDir, 'delve', delveVersion);
  const binary = path.join(dir, 'dlv');
  if (existsSync(binary)) return binary;
  progress('delve', `Building Delve ${delveVersion} from its Go module (about a minute on first run)`);
  await fs.mkdir(dir, { recursive: true });
  const temp = await fs.mkdtemp(path.join(dir, '.build-'));
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('go', ['install', `github.com/go-delve/delve/cmd/dlv@${delveVersion}`], {
        env: { ...goEnvironment(), GOBIN: temp, GOFLAGS: '-trimpath', GOMEMLIMIT: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('error', (err) => reject(new StudioError(ErrorCode.ImageBuild, `Go is needed to build Delve: ${err.message}`, { cause: err })));
      child.on('close', (code) => (code === 0 ? resolve() : reject(new StudioError(ErrorCode.ImageBuild, `Building Delve failed:\n${output.slice(-2000)}`))));
    });
    await fs.rename(path.join(temp, 'dlv'), binary);
  } finally {
    await fs.rm(temp, { recursive: true, force: true });
  }
  return binary;
}
