/**
 * The entry of a compile worker: a child process (started by compilerPool.ts)
 * that runs one compile at a time off the server's process and keeps, between
 * jobs, the last Programs of the workspaces it compiled (typescriptBuild.ts),
 * so the pool sends a workspace back to the same worker for a fast recompile.
 */
import fs from 'node:fs';
import os from 'node:os';
import { compileWorkerNice } from '../config.ts';
import type { CompileJob, CompileJobResult, FromCompileWorker, ToCompileWorker } from './compileJob.ts';
import { buildJavaScript } from './javascriptBuild.ts';
import { buildTypeScript, forgetTypeScriptWorkspace } from './typescriptBuild.ts';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('compileWorker.ts runs only as a child process with an IPC channel; use createCompilerPool().');

/**
 * Compiles are batch work, and the server's process answers every user: every
 * thread of this process (the compiler's and V8's garbage-collector threads)
 * yields the CPU to it. On Linux a priority is per thread, and threads started
 * later inherit it; elsewhere the process keeps the default priority.
 */
function lowerPriority(): void {
  let threads: string[];
  try {
    threads = fs.readdirSync('/proc/self/task');
  } catch {
    threads = [String(process.pid)];
  }
  for (const thread of threads) {
    try {
      os.setPriority(Number(thread), compileWorkerNice);
    } catch {
      // Not allowed, or the thread has ended: it runs at the default priority.
    }
  }
}

async function compile(job: CompileJob): Promise<CompileJobResult> {
  const startedAtMs = Date.now();
  if (job.kind === 'typescript') {
    const build = buildTypeScript(job.workspaceDir, job.outDir, job.reuseProgram, job.dependenciesDir);
    return { diagnostics: build.diagnostics, outputs: build.emitted, reusedProgram: build.reusedProgram, startedAtMs, endedAtMs: Date.now() };
  }
  const build = await buildJavaScript(job.workspaceDir, job.outDir);
  return { diagnostics: build.diagnostics, outputs: build.copied, reusedProgram: false, startedAtMs, endedAtMs: Date.now() };
}

const reply = (message: FromCompileWorker): void => {
  send(message);
};

process.on('message', (message: ToCompileWorker) => {
  if (message.type === 'forget') {
    forgetTypeScriptWorkspace(message.workspaceDir);
    return;
  }
  compile(message.job).then(
    (result) => reply({ type: 'done', id: message.id, result }),
    (err: unknown) => reply({ type: 'failed', id: message.id, message: err instanceof Error ? err.message : String(err) }),
  );
});
// The server went away (or ended this worker): nothing is left to compile for.
process.on('disconnect', () => process.exit(0));
lowerPriority();
reply({ type: 'ready' });
