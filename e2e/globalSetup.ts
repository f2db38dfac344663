/**
 * Runs once before the browser tests: builds the client with Vite when
 * dist/client is missing or older than its sources, builds the sandbox image
 * when its inputs changed, and empties the screenshot folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectRoot, screenshotDir } from './config.ts';

/** The newest modification time under `dir` (files only), in ms. */
function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtimeMs(full) : statSync(full).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

function run(what: string, command: string, args: string[]): void {
  console.log(`[e2e setup] ${what}`);
  const result = spawnSync(command, args, { cwd: projectRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${what} failed (exit ${String(result.status)})`);
}

export default function globalSetup(): void {
  const builtIndex = path.join(projectRoot, 'dist', 'client', 'index.html');
  const sources = Math.max(newestMtimeMs(path.join(projectRoot, 'client')), newestMtimeMs(path.join(projectRoot, 'protocol')));
  if (!existsSync(builtIndex) || statSync(builtIndex).mtimeMs < sources) {
    run('building the client (vite build)', path.join(projectRoot, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'error']);
  }
  run('checking the sandbox image', process.execPath, ['--import', 'tsx', path.join(projectRoot, 'server', 'sandbox', 'image', 'build-cli.ts')]);
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
  console.log(`[e2e setup] screenshots go to ${screenshotDir}`);
}
