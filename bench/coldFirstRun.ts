/**
 * The first Run after a server start (`coldFirstRunMs`): a workspace whose
 * sandbox an earlier server process left running, a new server process, and
 * its first Run, from the moment the server prints its address until the
 * chaincode answers. No warm pool. Prints where the time went (the log lines
 * the Run publishes) so a slow start can be traced.
 */
import type { Notification } from '../protocol/messages.ts';
import { createBenchServer } from './serverProcess.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

export async function measureColdFirstRun(report: Report, rounds = 2): Promise<Record<string, number>> {
  const server = await createBenchServer('ccs-bench-cold');
  const runs: number[] = [];
  const starts: number[] = [];
  try {
    await server.start({ STUDIO_WARM_SANDBOXES: '0' });
    await server.call('workspace/create', { name: 'cold', sample: 'asset-transfer-ts' });
    await server.call('run', { workspace: 'cold' });
    for (let i = 0; i < rounds; i++) {
      await server.stop();
      const { startMs } = await server.start({ STUDIO_WARM_SANDBOXES: '0' });
      starts.push(startMs);
      const client = server.client();
      const began = performance.now();
      const sentAt = new Date().toISOString().slice(11, 23);
      await server.call('workspace/open', { workspace: 'cold' });
      const result = await server.call<{ ok: boolean }>('run', { workspace: 'cold' });
      const ms = Math.round(performance.now() - began);
      if (!result.ok) throw new Error('the sample did not compile');
      runs.push(ms);
      const lines = client.pending
        .filter((m): m is Notification<'log'> => 'method' in m && m.method === 'log')
        .flatMap((n) => n.params.lines.filter((l) => l.source === 'sandbox').map((l) => `${l.time.slice(11, 23)} ${l.text}`));
      console.log(`  cold first Run ${i + 1}: ${ms} ms (server start ${startMs} ms), Run sent ${sentAt}\n    ${lines.slice(-6).join('\n    ')}`);
    }
  } finally {
    await server.dispose();
  }
  const coldFirstRunMs = Math.max(...runs);
  report('coldFirstRunMs', coldFirstRunMs, ` ms (slowest of ${rounds}: ${runs.join(', ')})`);
  report('serverStartMs', Math.max(...starts), ` ms (process start until it prints its address; ${starts.join(', ')})`);
  return { coldFirstRunMs, serverStartMs: Math.max(...starts) };
}
