/**
 * Runs the machine's npm in a folder of ours, for a workspace's dependencies:
 * with an environment that holds none of the server's settings or secrets,
 * npm's output handed over line by line, and a deadline after which npm and
 * everything it started are killed.
 */
import { spawn } from 'node:child_process';
import { createLineSplitter } from '../sandbox/lineSplitter.ts';

/** Lines of npm output longer than this are dropped (npm's lines are short; a huge one is not worth keeping). */
const maxNpmLineBytes = 64 * 1024;
/** npm's last lines kept for the error message. */
const keptLines = 200;

/** Options of {@link runNpm}. */
export interface NpmRunOptions {
  /** The npm executable (a name found on `env.PATH`, or a path). */
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The whole environment npm gets; nothing of the server's is added. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Each line npm writes, stdout and stderr alike. */
  readonly onLine: (line: string) => void;
}

/** How an npm run ended. */
export interface NpmRunResult {
  /** npm's exit code; null when it was killed. */
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** npm's last lines (up to a few hundred). */
  readonly lines: readonly string[];
}

/** Runs npm once; resolves when it and its output have ended, whatever its exit code. */
export function runNpm(options: NpmRunOptions): Promise<NpmRunResult> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const onLine = (line: string): void => {
      lines.push(line);
      if (lines.length > keptLines) lines.shift();
      options.onLine(line);
    };
    // Its own process group, so the deadline kills whatever npm started along with it.
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: { ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of [child.stdout, child.stderr]) {
      const splitter = createLineSplitter({ maxLineBytes: maxNpmLineBytes, onLine, onOversized: () => undefined });
      stream.on('data', (chunk: Buffer) => splitter.push(chunk));
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // A process that left npm's group could hold the pipes open: once npm is killed, stop reading.
    child.once('exit', () => {
      if (!timedOut) return;
      child.stdout.destroy();
      child.stderr.destroy();
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, timedOut, lines });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
