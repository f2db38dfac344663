// `npm test`: every check and test, in order of cost: typecheck, lint, unit
// tests, integration tests on real sandboxes, browser tests in Chromium, then
// the Kubernetes suite on a single-node cluster built here (scripts/k8s/test.mjs:
// its own start and teardown, also when a test fails). It runs last and alone:
// its first build (about 17 CPU-minutes, a minute once Go's build cache holds
// it) and its cluster would slow the Docker suites on a 2-core machine. The
// `long` suite (a transaction paused for ten minutes) mostly waits, so it runs
// beside the others with its output kept in a file and shown at the end.
// Prints one summary line at the end and exits non-zero if anything failed.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { root, setup } from './setup.mjs';

await setup({ browser: true, k8s: true });

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
// STUDIO_SETUP_DONE: the k8s suite need not run setup again.
const env = { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1', STUDIO_SETUP_DONE: '1' };

function runSuite(name, command, args, { logFile } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: logFile ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (logFile) {
      const out = createWriteStream(logFile);
      child.stdout.pipe(out);
      child.stderr.pipe(out);
    }
    child.on('close', (code) => resolve({ name, ok: code === 0, seconds: ((Date.now() - started) / 1000).toFixed(1), logFile }));
    child.on('error', () => resolve({ name, ok: false, seconds: '0', logFile }));
  });
}

// Not under test-results/: Playwright empties that folder when it starts.
mkdirSync(path.join(root, '.cache'), { recursive: true });
const longLog = path.join(root, '.cache', 'long-suite.log');
console.log(`\n▶ long suite (a transaction paused for 10 minutes) started in the background; output: ${longLog}`);
const long = runSuite('long tests (paused transaction)', bin('vitest'), ['run', '--project', 'long'], { logFile: longLog });

const suites = [
  ['typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['lint', bin('eslint'), ['.']],
  ['unit tests', bin('vitest'), ['run', '--project', 'unit']],
  ['integration tests (real Docker and Fabric peer)', bin('vitest'), ['run', '--project', 'integration']],
  ['browser tests (Playwright in Chromium)', bin('playwright'), ['test']],
  ['Kubernetes tests (a single-node cluster built here)', process.execPath, [path.join(root, 'scripts', 'k8s', 'test.mjs')]],
];

const results = [];
for (const [name, command, args] of suites) {
  console.log(`\n▶ ${name}`);
  const result = await runSuite(name, command, args);
  results.push(result);
  console.log(`${result.ok ? '✔' : '✖'} ${name} (${result.seconds} s)`);
}

console.log('\n▶ waiting for the long suite');
const longResult = await long;
process.stdout.write(readFileSync(longLog, 'utf8'));
results.push(longResult);

console.log('\nSummary:');
for (const r of results) console.log(`  ${r.ok ? '✔' : '✖'} ${r.name} (${r.seconds} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`suites: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
