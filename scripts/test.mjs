// `npm test`: every check and test, in order of cost: typecheck, lint, unit
// tests, integration tests on real sandboxes, browser tests in Chromium.
// Prints one summary line at the end and exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { root, setup } from './setup.mjs';

await setup({ browser: true });

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const suites = [
  ['typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['lint', bin('eslint'), ['.']],
  ['unit tests', bin('vitest'), ['run', '--project', 'unit']],
  ['integration tests (real Docker and Fabric peer)', bin('vitest'), ['run', '--project', 'integration']],
  ['browser tests (Playwright in Chromium)', bin('playwright'), ['test']],
];

const results = [];
for (const [name, command, args] of suites) {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } });
  const ok = result.status === 0;
  results.push({ name, ok, seconds: ((Date.now() - started) / 1000).toFixed(1) });
  console.log(`${ok ? '✔' : '✖'} ${name} (${results.at(-1).seconds} s)`);
}

console.log('\nSummary:');
for (const r of results) console.log(`  ${r.ok ? '✔' : '✖'} ${r.name} (${r.seconds} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`suites: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
