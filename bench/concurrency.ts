/**
 * Many users on one machine: N sandboxes at once, each under a transaction
 * load, with evaluate latency percentiles and memory per sandbox.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { samplesDir } from '../server/config.ts';
import { createSandboxManager } from '../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../server/session/workspaceSession.ts';
import { releaseDisksUnder } from '../server/sandbox/ledgerDisk.ts';

const sandboxCount = Number(process.env.BENCH_SANDBOXES ?? 20);
const loadSeconds = Number(process.env.BENCH_LOAD_SECONDS ?? 20);

type Report = (name: string, value: number | string | null, unit?: string) => void;

export async function measureConcurrency(docker: Docker, report: Report): Promise<Record<string, number | null>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-bench-many-'));
  const sandboxes = createSandboxManager({ docker, dataDir, instance: `ccs-many-${randomBytes(3).toString('hex')}` });
  const sessions: WorkspaceSession[] = [];
  try {
    // Start in small waves: 2 cores cannot boot 20 peers at the same instant.
    for (let i = 0; i < sandboxCount; i += 4) {
      const wave = Array.from({ length: Math.min(4, sandboxCount - i) }, async (_, j) => {
        const id = `many${i + j}`;
        const dir = path.join(dataDir, 'workspaces', id);
        await fs.cp(path.join(samplesDir, 'asset-transfer-js'), dir, { recursive: true });
        const session = new WorkspaceSession({ workspace: id, workspaceDir: dir, sandboxes, publish: () => undefined });
        sessions.push(session);
        const outcome = await session.run();
        if (!outcome.ok) throw new Error(`${id} did not compile`);
        await session.invoke({ workspace: id, mode: 'submit', contract: '', fn: 'CreateAsset', args: ['a1', 'blue', '5', 'Tomoko', '300'] });
      });
      await Promise.all(wave);
      console.log(`  ${Math.min(i + 4, sandboxCount)} sandboxes running`);
    }
    const running = (await sandboxes.list()).filter((s) => s.running).length;
    report('concurrentSandboxes', running);

    const latencies: number[] = [];
    let submits = 0;
    const until = Date.now() + loadSeconds * 1000;
    await Promise.all(
      sessions.map(async (session, k) => {
        for (let n = 0; Date.now() < until; n++) {
          const started = performance.now();
          await session.invoke({ workspace: session.workspace, mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['a1'] });
          latencies.push(performance.now() - started);
          // One submit in ten keeps the orderer and the ledgers busy too.
          if (n % 10 === k % 10) {
            await session.invoke({ workspace: session.workspace, mode: 'submit', contract: '', fn: 'UpdateAsset', args: ['a1', 'red', String(n), 'Tomoko', '300'] });
            submits++;
          }
        }
      }),
    );
    const sorted = [...latencies].sort((a, b) => a - b);
    const p = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN) * 10) / 10;
    report('evaluatesUnderLoad', latencies.length);
    report('submitsUnderLoad', submits);
    report('p50EvaluateMsUnderLoad', p(0.5), ' ms');
    report('p95EvaluateMsUnderLoad', p(0.95), ' ms');
    report('p99EvaluateMsUnderLoad', p(0.99), ' ms');

    const memories = (await Promise.all(sessions.map((s) => s.memoryBytes()))).filter((m): m is number => m !== undefined);
    const average = memories.reduce((a, b) => a + b, 0) / Math.max(1, memories.length);
    report('sandboxMemoryMbUnderLoad', Math.round(average / 1024 / 1024), ' MB (average per sandbox)');
    return {
      concurrentSandboxes: running,
      p95EvaluateMsUnderLoad: p(0.95),
      sandboxMemoryMbUnderLoad: Math.round(average / 1024 / 1024),
    };
  } finally {
    await Promise.all(sessions.map(async (s) => {
      await s.destroy().catch(() => undefined);
      await s.close();
    }));
    await releaseDisksUnder(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
