import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { samplesDir } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { CompileJobResult } from './compileJob.ts';
import { type CompilerPool, createCompilerPool } from './compilerPool.ts';
import { compileWorkspace } from './compileWorkspace.ts';
import { heavyTypeScript } from './heavyTypes.ts';

// Seconds of type checking and a few hundred MB on this machine, in a 200-byte-per-alias file.
const heavy = heavyTypeScript({ aliases: 8, depth: 200 });
const generous = { size: 1, timeoutMs: 300_000, memoryMb: 512 };

const tickMs = 10;

/**
 * The largest event-loop delay (ms) seen while `work` runs: how late a 10 ms
 * timer fired, including a block still going on when the work ends (which
 * monitorEventLoopDelay would not record).
 */
async function maxEventLoopDelayDuring<T>(work: () => Promise<T>): Promise<{ value: T; maxDelayMs: number }> {
  let last = performance.now();
  let maxDelayMs = 0;
  const note = () => {
    const now = performance.now();
    maxDelayMs = Math.max(maxDelayMs, now - last - tickMs);
    last = now;
  };
  const timer = setInterval(note, tickMs);
  try {
    const value = await work();
    note();
    return { value, maxDelayMs };
  } finally {
    clearInterval(timer);
  }
}

/** The most intervals that overlap at one instant. */
function mostAtOnce(results: CompileJobResult[]): number {
  const edges = results.flatMap((r) => [
    { at: r.startedAtMs, step: 1 },
    { at: r.endedAtMs, step: -1 },
  ]);
  // At equal times an end comes before a start: a worker that finished and took the next job ran them one after the other.
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const edge of edges) {
    now += edge.step;
    most = Math.max(most, now);
  }
  return most;
}

describe('compilerPool', { timeout: 300_000 }, () => {
  let base: string;
  let pool: CompilerPool | undefined;

  async function workspace(name: string, indexTs: string): Promise<string> {
    const dir = path.join(base, name);
    await fs.mkdir(path.join(dir, 'src'), { recursive: true });
    await fs.writeFile(path.join(dir, 'src', 'index.ts'), indexTs);
    return dir;
  }

  async function sample(name: string): Promise<string> {
    const dir = path.join(base, name);
    await fs.cp(path.join(samplesDir, 'asset-transfer-ts'), dir, { recursive: true });
    return dir;
  }

  function open(options: Parameters<typeof createCompilerPool>[0]): CompilerPool {
    pool = createCompilerPool(options);
    return pool;
  }

  beforeEach(async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'compiler-pool-')));
  });

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    await fs.rm(base, { recursive: true, force: true });
  });

  it('type-checks a pathological file in a worker while the event loop stays responsive', async () => {
    const compiler = open(generous);
    const ws = await workspace('heavy', heavy);
    const started = performance.now();
    const { value: result, maxDelayMs } = await maxEventLoopDelayDuring(() => compileWorkspace(ws, path.join(base, 'out'), { pool: compiler }));
    const compileMs = performance.now() - started;
    console.log(`pathological compile ${compileMs.toFixed(0)} ms; max event-loop delay ${maxDelayMs.toFixed(0)} ms`);
    expect(result).toMatchObject({ ok: true, diagnostics: [] });
    // Long enough that compiling on the main thread would have blocked it for far more than the bound below.
    expect(compileMs).toBeGreaterThan(1500);
    // 100 ms on a quiet machine. A machine busy with other work slows the compile and delays the loop
    // alike, so the bound grows with the compile's length; a blocked loop would be delayed for all of it.
    expect(maxDelayMs).toBeLessThan(Math.max(100, compileMs / 20));
  });

  it('stops a compile past the time limit, names the limit, ends the worker and recovers', async () => {
    const compiler = open({ ...generous, timeoutMs: 1000 });
    const ws = await workspace('slow', heavy);
    const outDir = path.join(base, 'builds', 'out');
    const failure = await compileWorkspace(ws, outDir, { pool: compiler }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StudioError);
    expect(failure).toMatchObject({ code: ErrorCode.Limit });
    expect((failure as StudioError).message).toContain('The TypeScript compile of slow took longer than 1 s (the compile time limit)');
    expect(compiler.liveWorkers()).toBe(0);
    // Nothing half-written is left beside the output folder.
    expect(await fs.readdir(path.join(base, 'builds'))).toEqual([]);

    // A JavaScript check takes milliseconds, well inside the shortened limit, in a new worker.
    const small = path.join(base, 'small');
    await fs.mkdir(small);
    await fs.writeFile(path.join(small, 'index.js'), 'module.exports.contracts = [];\n');
    expect(await compileWorkspace(small, outDir, { pool: compiler })).toMatchObject({ ok: true, language: 'javascript' });
    expect(compiler.liveWorkers()).toBe(1);
  });

  it('stops a compile past the memory limit and names the limit', async () => {
    const compiler = open({ ...generous, memoryMb: 192 });
    // The limit leaves room for an ordinary chaincode.
    expect((await compileWorkspace(await sample('ordinary'), path.join(base, 'out-ordinary'), { pool: compiler })).ok).toBe(true);
    const failure = await compileWorkspace(await workspace('hungry', heavy), path.join(base, 'out'), { pool: compiler }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ code: ErrorCode.Limit });
    expect((failure as StudioError).message).toContain('The TypeScript compile of hungry used more than 192 MB (the compile memory limit)');
    expect(compiler.liveWorkers()).toBe(0);
  });

  it('runs at most `size` compiles at once and queues the rest', async () => {
    const compiler = open({ ...generous, size: 2 });
    const source = heavyTypeScript({ aliases: 2, depth: 150 });
    const jobs = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => ({ kind: 'typescript' as const, workspaceDir: await workspace(`ws${i}`, source), outDir: path.join(base, `out${i}`), reuseProgram: true })),
    );
    const results = await Promise.all(jobs.map((job) => compiler.compile(job)));
    expect(results.map((r) => r.diagnostics)).toEqual(jobs.map(() => []));
    expect(mostAtOnce(results)).toBe(2);
    expect(compiler.liveWorkers()).toBe(2);
  });

  it('sends a workspace back to the worker that keeps its Program, so the recompile is incremental', async () => {
    const compiler = open({ ...generous, size: 2 });
    const [a, b] = await Promise.all([sample('a'), sample('b')]);
    const job = (workspaceDir: string) => ({ kind: 'typescript' as const, workspaceDir, outDir: path.join(base, `out-${path.basename(workspaceDir)}`), reuseProgram: true });
    // At the same time, so each goes to its own worker.
    const first = await Promise.all([compiler.compile(job(a)), compiler.compile(job(b))]);
    expect(first.map((r) => r.reusedProgram)).toEqual([false, false]);

    for (const dir of [b, a, a, b]) {
      const file = path.join(dir, 'src', 'assetTransferContract.ts');
      await fs.appendFile(file, `\nexport const edited${Date.now()} = 1;\n`);
      const again = await compiler.compile(job(dir));
      expect(again).toMatchObject({ reusedProgram: true, diagnostics: [] });
    }
  });

  it('forgets a workspace: its next compile starts from scratch', async () => {
    const compiler = open(generous);
    const job = { kind: 'typescript' as const, workspaceDir: await sample('gone'), outDir: path.join(base, 'out'), reuseProgram: true };
    await compiler.compile(job);
    expect(await compiler.compile(job)).toMatchObject({ reusedProgram: true });
    compiler.forget(job.workspaceDir);
    expect(await compiler.compile(job)).toMatchObject({ reusedProgram: false, diagnostics: [] });
  });
});
