/**
 * The warm pool, on a real server process with one spare (`STUDIO_WARM_SANDBOXES=1`):
 * `warmRunMs`, Run on a new workspace until the chaincode answers, with a
 * spare ready, pressed at once after creating it (its background build still
 * running); `warmRunAfterReadingMs`, the same pressed a few seconds later;
 * where the time goes (claim, compile, define, chaincode start), from the
 * log; `poolRefillMs`, how long the pool then takes to have a spare ready again. The pool's busy check is turned off for the measurement (this
 * machine is shared and often above the default load threshold), and the
 * figures say so.
 */
import type { Notification } from '../protocol/messages.ts';
import { createBenchServer } from './serverProcess.ts';
import { percentile } from './percentile.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

const refillLine = /Warm sandbox ready in (\d+) ms/;
/** The later rounds press Run this long after the workspace was created, as a user who reads the sample first. */
const readPauseMs = 3000;

/** Where one Run's time went, in ms, from the lines the server and the sandbox log (absent: not in the log). */
export interface WarmRunParts {
  /** Run sent → the spare attached to the workspace. */
  readonly claimMs?: number;
  readonly compileMs?: number;
  /** Fabric's install, approve and commit of the chaincode's name (the sandbox does it while the workspace compiles). */
  readonly defineMs?: number;
  /** The chaincode's start request → its metadata answered through the peer. */
  readonly chaincodeMs?: number;
}

/** Reads {@link WarmRunParts} from `time text` lines (time as HH:MM:SS.mmm) of one Run sent at `sentAt`. */
export function warmRunParts(sentAt: string, lines: readonly { time: string; text: string }[]): WarmRunParts {
  const ms = (time: string) => {
    const [h = 0, m = 0, sec = 0] = time.split(':').map(Number);
    return ((h * 60 + m) * 60 + sec) * 1000;
  };
  const number = (re: RegExp) => {
    for (const line of lines) {
      const match = re.exec(line.text);
      if (match) return Number(match[1]);
    }
    return undefined;
  };
  const claimed = lines.find((l) => /Took a sandbox from the warm pool/.test(l.text));
  const parts: { -readonly [K in keyof WarmRunParts]: WarmRunParts[K] } = {};
  if (claimed) parts.claimMs = Math.round(ms(claimed.time) - ms(sentAt));
  const compileMs = number(/^Compiled \w+ in (\d+) ms/) ?? number(/Nothing changed since the last build \(checked in (\d+) ms\)/);
  if (compileMs !== undefined) parts.compileMs = compileMs;
  const defineMs = number(/defined in (\d+) ms/);
  if (defineMs !== undefined) parts.defineMs = defineMs;
  const chaincodeMs = number(/answered (\d+) ms after its start/);
  if (chaincodeMs !== undefined) parts.chaincodeMs = chaincodeMs;
  return parts;
}

export async function measureWarmPool(report: Report, rounds = 3): Promise<Record<string, number | null>> {
  const server = await createBenchServer('ccs-bench-warm');
  const runs: number[] = [];
  const refills: number[] = [];
  const parts: WarmRunParts[] = [];
  const afterPause: number[] = [];
  try {
    const firstSpare = server.waitForLine(refillLine, 300_000);
    const compilerReady = server.waitForLine(/The compiler is warmed up/, 300_000);
    await server.start({ STUDIO_WARM_SANDBOXES: '1', STUDIO_WARM_POOL_BUSY_LOAD: '1000' });
    refills.push(Number(refillLine.exec(await firstSpare)?.[1]));
    // A user opens the IDE and picks a sample after the server has settled, not in its first second.
    await compilerReady;
    for (let i = 0; i < rounds * 2; i++) {
      const paused = i >= rounds;
      const workspace = `warm${i}`;
      await server.call('workspace/create', { name: workspace, sample: 'asset-transfer-ts' });
      await server.call('workspace/open', { workspace });
      if (paused) await new Promise((resolve) => setTimeout(resolve, readPauseMs));
      const refilled = server.waitForLine(refillLine, 300_000);
      const began = performance.now();
      const sentAt = new Date().toISOString().slice(11, 23);
      const result = await server.call<{ ok: boolean }>('run', { workspace });
      const ms = Math.round(performance.now() - began);
      if (!result.ok) throw new Error('the sample did not compile');
      (paused ? afterPause : runs).push(ms);
      const logged = server
        .client()
        .pending.filter((m): m is Notification<'log'> => 'method' in m && m.method === 'log' && m.params.workspace === workspace)
        .flatMap((n) => n.params.lines.filter((l) => l.source === 'sandbox' && /warm|Compiled|Nothing changed|answered|Approving|defined in|started \(pid/.test(l.text)))
        .map((l) => ({ time: l.time.slice(11, 23), text: l.text }));
      if (!paused) parts.push(warmRunParts(sentAt, logged));
      const lines = logged.map((l) => `${l.time} ${l.text}`);
      refills.push(Number(refillLine.exec(await refilled)?.[1]));
      console.log(`  Run on new workspace ${workspace}${paused ? ` ${readPauseMs} ms after its creation` : ''} with a warm sandbox: ${ms} ms (sent ${sentAt}); the pool refilled in ${refills.at(-1)} ms\n    ${lines.join('\n    ')}`);
      // Each round's workspace keeps its sandbox: stop it so the next round has the machine to itself.
      await server.call('sandbox/stop', { workspace });
    }
  } finally {
    await server.dispose();
  }
  const warmRunMs = Math.round(percentile(runs, 50));
  const poolRefillMs = Math.round(percentile(refills, 50));
  const median = (pick: (p: WarmRunParts) => number | undefined) => {
    const values = parts.map(pick).filter((v): v is number => v !== undefined);
    return values.length === 0 ? null : Math.round(percentile(values, 50));
  };
  const breakdown = { claimMs: median((p) => p.claimMs), compileMs: median((p) => p.compileMs), defineMs: median((p) => p.defineMs), chaincodeMs: median((p) => p.chaincodeMs) };
  report(
    'warmRunBreakdown',
    `claim ${breakdown.claimMs} ms, compile ${breakdown.compileMs} ms, define ${breakdown.defineMs} ms (beside the compile), chaincode start → answered ${breakdown.chaincodeMs} ms`,
    ' (medians)',
  );
  report('warmRunMs', warmRunMs, ` ms (median of ${rounds}: ${runs.join(', ')}; Run at once after creating the workspace; busy check off)`);
  const warmRunAfterReadingMs = Math.round(percentile(afterPause, 50));
  report('warmRunAfterReadingMs', warmRunAfterReadingMs, ` ms (median of ${rounds}: ${afterPause.join(', ')}; Run ${readPauseMs} ms after creating it, its background build done)`);
  report('poolRefillMs', poolRefillMs, ` ms (median of ${refills.length}: ${refills.join(', ')})`);
  return { warmRunMs, warmRunAfterReadingMs, poolRefillMs, ...Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [`warmRun_${k}`, v])) };
}
