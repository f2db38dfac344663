/**
 * What the server and a compile worker say to each other: a job in, its
 * result (or the reason it failed) out. Both sides are ours, in one process,
 * so the messages are typed here and not validated at run time.
 */
import type { Diagnostic } from '../../protocol/messages.ts';

/** One compile: TypeScript through the compiler API, or the JavaScript syntax check and copy. */
export type CompileJob =
  | {
      readonly kind: 'typescript';
      readonly workspaceDir: string;
      readonly outDir: string;
      readonly reuseProgram: boolean;
      /** The workspace's installed npm dependencies (a node_modules folder), seen by the compiler as `<workspaceDir>/node_modules`. */
      readonly dependenciesDir?: string;
    }
  | { readonly kind: 'javascript'; readonly workspaceDir: string; readonly outDir: string };

/** What one compile produced, as the worker reports it. */
export interface CompileJobResult {
  diagnostics: Diagnostic[];
  /** Files written under the output folder, '/'-separated (emitted JavaScript, or copied files). */
  outputs: string[];
  /** True when the worker passed the workspace's previous Program to the compiler (an incremental compile). */
  reusedProgram: boolean;
  /** Wall-clock times (ms since the epoch) the worker started and finished the job. */
  startedAtMs: number;
  endedAtMs: number;
}

/** Messages to a worker. `forget` drops a workspace's kept Program. */
export type ToCompileWorker = { type: 'compile'; id: number; job: CompileJob } | { type: 'forget'; workspaceDir: string };

/** Messages from a worker. `ready` comes once, when it has loaded the compiler. */
export type FromCompileWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: CompileJobResult }
  | { type: 'failed'; id: number; message: string };
