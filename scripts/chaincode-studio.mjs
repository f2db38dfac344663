#!/usr/bin/env node
// `npx chaincode-studio test <dir> [--junit out.xml]`: runs the TypeScript CLI with tsx, like `npm start` runs the server.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'testing', 'cli.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
// The child removes its sandbox on these; wait for it to exit.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
