// `npm start`: sets up what is missing, then runs the server (see README).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { root, setup } from './setup.mjs';

await setup();
// `npm start` keeps one sandbox warm for the next new workspace; the server alone (tests, harnesses) keeps none.
const env = { ...process.env, STUDIO_WARM_SANDBOXES: process.env.STUDIO_WARM_SANDBOXES ?? '1' };
const server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'main.ts')], { stdio: 'inherit', cwd: root, env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
