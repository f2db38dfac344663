/**
 * The first step of Run: compile the workspace into the sandbox's build dir,
 * publish the diagnostics, and on failure leave the chaincode phase as it was
 * (the old build goes on running) with a message naming the first error.
 */
import type { Diagnostic } from '../../protocol/messages.ts';
import { compileWorkspace } from '../build/compileWorkspace.ts';
import type { SessionReporter } from './sessionReporter.ts';

export interface CompileStepOptions {
  readonly workspace: string;
  readonly workspaceDir: string;
  /** Where the compiled chaincode goes (`<sandbox build dir>/app`). */
  readonly outDir: string;
  readonly reporter: SessionReporter;
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
  const build = await compileWorkspace(options.workspaceDir, options.outDir);
  const compileMs = Math.round(build.durationMs);
  reporter.publish('diagnostics', { workspace, diagnostics: build.diagnostics });
  if (!build.ok) {
    const errors = build.diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    const where = first ? `${first.file}:${first.line}:${first.column} ${first.message}` : 'see Problems';
    reporter.log('sandbox', `Compile failed with ${errors.length} error(s): ${where}`);
    // The old build goes on as it was (unless its status changed meanwhile, e.g. it crashed).
    const now = reporter.status.chaincode;
    reporter.setStatus({ chaincode: now === 'compiling' ? phaseBefore : now, message: `Compile failed: ${errors.length} error(s)` });
  } else reporter.log('sandbox', `Compiled ${build.language} in ${compileMs} ms`);
  return { ok: build.ok, diagnostics: build.diagnostics, compileMs };
}
