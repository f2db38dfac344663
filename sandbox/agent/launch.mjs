// @ts-check
// The container's first process under tini, as root with only SETUID, SETGID
// and KILL (see privileges.mjs). It takes the agent's token out of the
// environment, starts the agent as the sandbox uid, and hands it the token on
// a pipe: the token is in no environment and no file a non-root uid can read
// (tini's and this process's /proc/<pid>/environ belong to root).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { minTokenChars, tokenFd } from './constants.mjs';
import { agentCommand } from './privileges.mjs';

const { STUDIO_AGENT_TOKEN: token = '', ...env } = process.env;
if (token.length < minTokenChars) {
  console.error(`STUDIO_AGENT_TOKEN must be set (${minTokenChars}+ characters)`);
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('The sandbox launcher must start as root (with only SETUID, SETGID and KILL), to run the chaincode under a uid of its own.');
  process.exit(2);
}

const { command, args } = agentCommand(process.execPath, path.join(import.meta.dirname, 'main.mjs'));
/** @type {import('node:child_process').StdioOptions} */
const stdio = ['ignore', 'inherit', 'inherit'];
stdio[tokenFd] = 'pipe';
const agent = spawn(command, args, { env, stdio });
const pipe = agent.stdio[tokenFd];
if (pipe && 'end' in pipe) pipe.end(token);
agent.on('error', (err) => {
  console.error(`The sandbox agent could not start: ${err.message}`);
  process.exit(1);
});
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) process.on(signal, () => agent.kill(signal));
agent.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
