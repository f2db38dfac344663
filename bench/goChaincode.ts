/**
 * The Go inner loop on a sandbox of its own: the Go sample's first Run (its
 * chaincode ready), a one-line edit saved until the new code answers (Go
 * build + vet + restart under Delve), and the debugger through Delve (invoke
 * sent → stopped with the frame; step → stopped).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import type { NotificationMap } from '../protocol/messages.ts';
import { samplesDir } from '../server/config.ts';
import { releaseDisksUnder } from '../server/sandbox/ledgerDisk.ts';
import { createSandboxManager } from '../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../server/session/workspaceSession.ts';
import { percentile } from './percentile.ts';
import { timeBreakpointAndStep } from './breakpointTiming.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

export const goTargets = { goChaincodeReadyMs: 3000, goRestartReadyMs: 3000, goBreakpointHitMs: 300 };

const file = 'contract.go';
const errorLine = 'return nil, fmt.Errorf("the asset %s does not exist", id)';

export async function measureGoChaincode(docker: Docker, report: Report): Promise<Record<string, number | null>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-bench-go-'));
  const sandboxes = createSandboxManager({ docker, dataDir, instance: `ccs-bench-go-${randomBytes(3).toString('hex')}` });
  const workspaceDir = path.join(dataDir, 'workspaces', 'gobench');
  await fs.cp(path.join(samplesDir, 'asset-transfer-go'), workspaceDir, { recursive: true });
  const stops: NotificationMap['stopped'][] = [];
  const session = new WorkspaceSession({
    workspace: 'gobench',
    workspaceDir,
    sandboxes,
    publish: (n) => {
      if (n.method === 'stopped') stops.push(n.params as NotificationMap['stopped']);
    },
  });
  const figures: Record<string, number | null> = {};
  const put = (name: string, value: number | null, unit: string) => {
    figures[name] = value;
    report(name, value, unit);
  };
  const invoke = (mode: 'submit' | 'evaluate', fn: string, ...args: string[]) => session.invoke({ workspace: 'gobench', mode, contract: '', fn, args });
  try {
    await sandboxes.start('gobench', () => undefined);
    const first = await session.run();
    if (!first.ok) throw new Error(`the Go sample did not build: ${first.diagnostics[0]?.message ?? ''}`);
    put('goChaincodeReadyMs', first.timings.chaincodeReadyMs ?? null, ' ms');

    const target = path.join(workspaceDir, file);
    const original = await fs.readFile(target, 'utf8');
    if (!original.includes(errorLine)) throw new Error(`the Go sample no longer has the line the bench edits: ${errorLine}`);
    const restarts: number[] = [];
    const compiles: number[] = [];
    const readies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await fs.writeFile(target, original.replace(errorLine, `return nil, fmt.Errorf("no asset %s (edit ${i})", id)`));
      const run = await session.run();
      compiles.push(run.timings.compileMs);
      if (run.timings.chaincodeReadyMs !== undefined) readies.push(run.timings.chaincodeReadyMs);
      const err = await invoke('evaluate', 'ReadAsset', 'ghost').then(
        () => '',
        (e: unknown) => String(e),
      );
      if (!err.includes(`(edit ${i})`)) throw new Error(`the restarted Go chaincode did not answer with the new code: ${err}`);
      restarts.push(performance.now() - started);
    }
    await fs.writeFile(target, original);
    await session.run();
    put('goRestartReadyMs', percentile(restarts, 50), ' ms (median of 5)');
    // Where a restart's time goes: the Go build on the host, then the process under Delve until it answers.
    put('goRestartBuildMs', percentile(compiles, 50), ' ms (median of 5)');
    put('goRestartChaincodeReadyMs', readies.length > 0 ? percentile(readies, 50) : null, ' ms (median of 5)');

    const line = original.split('\n').findIndex((l) => l.includes('data, err := json.Marshal(asset)')) + 1;
    const { hitMs, stepMs } = await timeBreakpointAndStep({ session, stops, source: file, line, submit: (i) => invoke('submit', 'CreateAsset', `godbg${i}`, 'red', '1', 'Ada', '1') });
    put('goBreakpointHitMs', hitMs, ' ms (median of 20)');
    put('goStepMs', stepMs, ' ms (median of 20)');
  } finally {
    await session.destroy().catch(() => undefined);
    await session.close();
    await releaseDisksUnder(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  return figures;
}
