/**
 * The Go toolchain for the sandbox image, taken from the host's own Go (the
 * one the server builds with) and trimmed to what `go build` of a module
 * needs with cgo off: the go command, compile, link and asm, and the
 * standard library's sources without tests, testdata or `cmd/`. The
 * production-mode peer's golang builder compiles vendored packages with it
 * offline (sandbox/builders/golang). Cached per Go version.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheDir } from '../../config.ts';
import { ErrorCode, StudioError } from '../../errors.ts';

const exec = promisify(execFile);
/** The tools `go build` runs when cgo is off. */
const tools = ['compile', 'link', 'asm'];
const marker = '.studio-complete';

export interface GoToolchainInfo {
  readonly goRoot: string;
  /** e.g. `go1.26.8`. */
  readonly version: string;
  /** e.g. `linux_amd64`, the folder of pkg/tool. */
  readonly platform: string;
}

/** The host's Go: where it is and which version. */
export async function hostGoToolchain(): Promise<GoToolchainInfo> {
  try {
    const { stdout } = await exec('go', ['env', 'GOROOT', 'GOVERSION', 'GOHOSTOS', 'GOHOSTARCH'], { env: { ...process.env, GOTOOLCHAIN: 'local' } });
    const [goRoot = '', version = '', goos = '', goarch = ''] = stdout.trim().split('\n');
    return { goRoot, version, platform: `${goos}_${goarch}` };
  } catch (err) {
    throw new StudioError(ErrorCode.ImageBuild, `Go is needed for the sandbox image (its golang builder): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Whether `rel` (a path inside GOROOT) goes into the image. */
export function keepInToolchain(rel: string, platform: string): boolean {
  const parts = rel.split(path.sep);
  const [top, second, third, fourth] = parts;
  if (rel === '' || rel === 'VERSION' || rel === 'go.env') return true;
  if (top === 'bin') return second === undefined || (second === 'go' && third === undefined);
  if (top === 'pkg') {
    if (second === undefined || second === 'include') return true;
    if (second !== 'tool') return false;
    if (third === undefined) return true;
    return third === platform && (fourth === undefined || (tools.includes(fourth) && parts.length === 4));
  }
  if (top === 'src') {
    if (second === 'cmd') return false;
    return !parts.includes('testdata') && !rel.endsWith('_test.go');
  }
  return false;
}

/** A trimmed copy of the host's GOROOT in the cache; returns its path. */
export async function ensureGoToolchain(progress: (step: string, message: string) => void): Promise<string> {
  const host = await hostGoToolchain();
  const dir = path.join(cacheDir, 'go-toolchain', `${host.version}-${host.platform}`);
  if (existsSync(path.join(dir, marker))) return dir;
  progress('go', `Copying the Go toolchain ${host.version} for the sandbox's golang builder`);
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const temp = `${dir}.tmp-${process.pid}`;
  await fs.rm(temp, { recursive: true, force: true });
  await fs.cp(host.goRoot, temp, { recursive: true, filter: (src) => keepInToolchain(path.relative(host.goRoot, src), host.platform) });
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(temp, dir);
  await fs.writeFile(path.join(dir, marker), host.version);
  return dir;
}
