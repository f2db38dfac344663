/**
 * The warm pool, on a real server process with one spare (`STUDIO_WARM_SANDBOXES=1`):
 * `warmRunMs`, Run on a new workspace until the chaincode answers, with a
 * spare ready; `poolRefillMs`, how long the pool then takes to have a spare
 * ready again. The pool's busy check is turned off for the measurement (this
 * machine is shared and often above the default load threshold), and the
 * figures say so.
 */
import type { Notification } from '../protocol/messages.ts';
import { createBenchServer } from './serverProcess.ts';
import { percentile } from './percentile.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

const refillLine = /Warm sandbox ready in (\d+) ms/;

export async function measureWarmPool(report: Report, rounds = 3): Promise<Record<string, number>> {
  const server = await createBenchServer('ccs-bench-warm');
  const runs: number[] = [];
  const refills: number[] = [];
  try {
    const firstSpare = server.waitForLine(refillLine, 300_000);
    const compilerReady = server.waitForLine(/The compiler is warmed up/, 300_000);
    await server.start({ STUDIO_WARM_SANDBOXES: '1', STUDIO_WARM_POOL_BUSY_LOAD: '1000' });
    refills.push(Number(refillLine.exec(await firstSpare)?.[1]));
    // A user opens the IDE and picks a sample after the server has settled, not in its first second.
    await compilerReady;
    for (let i = 0; i < rounds; i++) {
      const workspace = `warm${i}`;
      await server.call('workspace/create', { name: workspace, sample: 'asset-transfer-ts' });
      await server.call('workspace/open', { workspace });
      const refilled = server.waitForLine(refillLine, 300_000);
      const began = performance.now();
      const sentAt = new Date().toISOString().slice(11, 23);
      const result = await server.call<{ ok: boolean }>('run', { workspace });
      const ms = Math.round(performance.now() - began);
      if (!result.ok) throw new Error('the sample did not compile');
      runs.push(ms);
      const lines = server
        .client()
        .pending.filter((m): m is Notification<'log'> => 'method' in m && m.method === 'log' && m.params.workspace === workspace)
        .flatMap((n) => n.params.lines.filter((l) => l.source === 'sandbox' && /warm|Compiled|answered|Approving/.test(l.text)).map((l) => `${l.time.slice(11, 23)} ${l.text}`));
      refills.push(Number(refillLine.exec(await refilled)?.[1]));
      console.log(`  Run on new workspace ${workspace} with a warm sandbox: ${ms} ms (sent ${sentAt}); the pool refilled in ${refills.at(-1)} ms\n    ${lines.join('\n    ')}`);
      // Each round's workspace keeps its sandbox: stop it so the next round has the machine to itself.
      await server.call('sandbox/stop', { workspace });
    }
  } finally {
    await server.dispose();
  }
  const warmRunMs = Math.round(percentile(runs, 50));
  const poolRefillMs = Math.round(percentile(refills, 50));
  report('warmRunMs', warmRunMs, ` ms (median of ${rounds}: ${runs.join(', ')}; busy check off)`);
  report('poolRefillMs', poolRefillMs, ` ms (median of ${refills.length}: ${refills.join(', ')})`);
  return { warmRunMs, poolRefillMs };
}
