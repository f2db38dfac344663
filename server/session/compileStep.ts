/**
 * The first step of Run: compile the workspace into the sandbox's build dir,
 * publish the diagnostics, and on failure leave the chaincode phase as it was
 * (the old build goes on running) with a message naming the first error. A
 * running old build is flagged (`previousBuild`), so no transaction it answers
 * goes unannounced.
 */
import type { Diagnostic } from '../../protocol/messages.ts';
import { compileWorkspace } from '../compile/compileWorkspace.ts';
import type { SessionReporter } from './sessionReporter.ts';

export interface CompileStepOptions {
  readonly workspace: string;
  readonly workspaceDir: string;
  /** Where the compiled chaincode goes (`<sandbox build dir>/app`). */
  readonly outDir: string;
  readonly reporter: SessionReporter;
  /** The workspace's installed npm dependencies, seen by the compiler as its node_modules. */
  readonly dependenciesDir?: string;
  /** Another compiler than the TypeScript/JavaScript one (a Go build); reported the same way. */
  readonly build?: () => Promise<StepBuild>;
}

/** What a compiler tells this step. */
export interface StepBuild {
  readonly ok: boolean;
  readonly diagnostics: Diagnostic[];
  readonly durationMs: number;
  readonly reused?: boolean;
  readonly language: string;
}

export interface CompileStepResult {
  readonly ok: boolean;
  readonly diagnostics: Diagnostic[];
  readonly compileMs: number;
}

export async function compileForRun(options: CompileStepOptions): Promise<CompileStepResult> {
  const { reporter, workspace } = options;
  const phaseBefore = reporter.status.chaincode;
  reporter.setStatus({ chaincode: 'compiling', message: 'Compiling' });
  const restorePhase = () => (reporter.status.chaincode === 'compiling' ? phaseBefore : reporter.status.chaincode);
  /** The status after a failed compile: the phase as it was, and, when a build still runs, why it is the previous one. */
  const failedStatus = (why: string, message: string) => {
    const chaincode = restorePhase();
    return chaincode === 'running' ? { chaincode, message, previousBuild: `${why}: transactions are answered by the build from before it` } : { chaincode, message };
  };
  let build: StepBuild;
  try {
    build = options.build ? await options.build() : await compileWorkspace(options.workspaceDir, options.outDir, { reuseUnchanged: true, ...(options.dependenciesDir === undefined ? {} : { dependenciesDir: options.dependenciesDir }) });
  } catch (err) {
    // A compile stopped at a limit (time, memory) or one that could not start: the old build goes on, and the status says why.
    const message = err instanceof Error ? err.message : String(err);
    reporter.log('sandbox', `Compile stopped: ${message}`);
    reporter.setStatus(failedStatus('The last Run did not compile', message));
    throw err;
  }
  const compileMs = Math.round(build.durationMs);
  reporter.publish('diagnostics', { workspace, diagnostics: build.diagnostics });
  if (!build.ok) {
    const errors = build.diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    const where = first ? `${first.file}:${first.line}:${first.column} ${first.message}` : 'see Problems';
    reporter.log('sandbox', `Compile failed with ${errors.length} error(s): ${where}`);
    // The old build goes on as it was (unless its status changed meanwhile, e.g. it crashed).
    reporter.setStatus(failedStatus(`The last change did not compile (${errors.length} error${errors.length === 1 ? '' : 's'}, see Problems)`, `Compile failed: ${errors.length} error(s)`));
  } else if (build.reused) reporter.log('sandbox', `Nothing changed since the last build (checked in ${compileMs} ms): running it as it is`);
  else reporter.log('sandbox', `Compiled ${build.language} in ${compileMs} ms`);
  return { ok: build.ok, diagnostics: build.diagnostics, compileMs };
}
