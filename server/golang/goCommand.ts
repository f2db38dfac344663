/**
 * Runs the go command on untrusted modules: a stripped environment
 * (`GOTOOLCHAIN=local`, cgo off, no VCS fetches, only the module proxy), a
 * deadline, an address-space cap and a soft heap limit, at a lower CPU
 * priority, with the module and build caches every build shares. The go
 * command runs no code of the module it builds (no cgo, no `go generate`,
 * no toolchain download), so these limits are what a build can cost.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { goBuildAddressSpaceBytes, goBuildSoftMemoryLimit, goBuildTimeoutMs, goCacheDir } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';

export interface GoCommandResult {
  readonly code: number | null;
  readonly output: string;
  readonly durationMs: number;
}

/** The host's proxy list without `direct`: the go command never clones a repository a go.mod names. */
function moduleProxy(): string {
  const configured = (process.env.GOPROXY ?? '').split(/[,|]/).filter((p) => p !== '' && p !== 'direct' && p !== 'off');
  return configured.length > 0 ? configured.join(',') : 'https://proxy.golang.org';
}

/** The environment of every go command we run: nothing of the server's own beyond PATH. */
export function goEnvironment(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/go/bin:/usr/bin:/bin',
    HOME: os.tmpdir(),
    GOENV: 'off',
    GOPATH: path.join(goCacheDir, 'path'),
    GOMODCACHE: path.join(goCacheDir, 'mod'),
    GOCACHE: path.join(goCacheDir, 'build'),
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOFLAGS: '-mod=mod -buildvcs=false',
    GOWORK: 'off',
    GOPROXY: moduleProxy(),
    GOVCS: '*:off',
    GOTELEMETRY: 'off',
    GOMEMLIMIT: goBuildSoftMemoryLimit,
    ...(process.env.GOSUMDB === undefined ? {} : { GOSUMDB: process.env.GOSUMDB }),
  };
}

export interface GoCommandOptions {
  readonly cwd: string;
  /** Called with each line the command prints (download progress). */
  readonly onLine?: (line: string) => void;
  readonly timeoutMs?: number;
}

/** Runs `go <args>` under the limits; resolves with its exit code and output, throws a `limit` error at the deadline. */
export function runGo(args: readonly string[], options: GoCommandOptions): Promise<GoCommandResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? goBuildTimeoutMs;
  return new Promise((resolve, reject) => {
    const child = spawn('prlimit', [`--as=${goBuildAddressSpaceBytes}`, '--core=0', '--', 'nice', '-n', '10', 'go', ...args], {
      cwd: options.cwd,
      env: goEnvironment(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let pending = '';
    let timedOut = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      if (output.length < 1024 * 1024) output += text;
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new StudioError(ErrorCode.CompileFailed, `The go command could not start (is Go installed on the server?): ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new StudioError(ErrorCode.Limit, `The Go build ran into its time limit (${timeoutMs / 1000} s) and was stopped.`));
      else resolve({ code, output, durationMs: performance.now() - started });
    });
  });
}
