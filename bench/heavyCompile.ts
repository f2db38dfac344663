/**
 * The server stays responsive while someone compiles a pathological file:
 * GET /healthz latency while 16 KB of heavy types compile through the path
 * Run, export and deploy take (the shared compile pool, with its real limits).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../server/app.ts';
import { compileWorkspace } from '../server/compile/compileWorkspace.ts';
import { heavyTypeScriptOfSize } from '../server/compile/heavyTypes.ts';
import { clientDistDir } from '../server/config.ts';
import { createStudioServer } from '../server/http/index.ts';
import { createDocker } from '../server/sandbox/docker.ts';
import { releaseDisksUnder } from '../server/sandbox/ledgerDisk.ts';
import { createHub } from '../server/ws/index.ts';
import { percentile } from './percentile.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

const heavyFileBytes = 16 * 1024;
/** Pause between health requests: a monitor polls, it does not flood. */
const pollGapMs = 20;

export async function measureHeavyCompile(report: Report): Promise<Record<string, number | string | null>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-bench-heavy-'));
  const hub = createHub();
  const app = createApp({ dataDir, docker: createDocker(), hub: () => hub, instance: 'ccs-bench-heavy' });
  const server = await createStudioServer({ host: '127.0.0.1', port: 0, token: 'bench-token-0123456789abcdef0123456789', staticDir: clientDistDir, handlers: app.handlers, downloads: app.downloads, hub });
  try {
    const workspaceDir = path.join(dataDir, 'heavy-types');
    await fs.mkdir(path.join(workspaceDir, 'src'), { recursive: true });
    await fs.writeFile(path.join(workspaceDir, 'src', 'index.ts'), heavyTypeScriptOfSize(heavyFileBytes, 200));

    const started = performance.now();
    let settled = false;
    // The first sentence of a limit error says which limit stopped it.
    const compile = compileWorkspace(workspaceDir, path.join(dataDir, 'out')).then(
      (result) => (result.ok ? 'compiled' : `failed with ${result.diagnostics.length} diagnostic(s)`),
      (err: unknown) => (err instanceof Error ? err.message : String(err)).split('. ')[0] ?? '',
    );
    void compile.finally(() => {
      settled = true;
    });
    const latencies: number[] = [];
    while (!settled) {
      const sent = performance.now();
      const res = await fetch(`${server.url}/healthz`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`/healthz answered ${res.status}`);
      latencies.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, pollGapMs));
    }
    const outcome = await compile;
    const heavyCompileMs = Math.round(performance.now() - started);
    const max = Math.round(Math.max(...latencies) * 10) / 10;
    const p50 = percentile(latencies, 50);
    report('heavyCompileMs', heavyCompileMs, ` ms: ${outcome}`);
    report('healthzMsDuringHeavyCompile', max, ` ms (max of ${latencies.length} GET /healthz; p50 ${p50} ms)`);
    report('healthzP50MsDuringHeavyCompile', p50, ' ms');
    return { heavyCompileMs, heavyCompileOutcome: outcome, healthzMsDuringHeavyCompile: max, healthzP50MsDuringHeavyCompile: p50 };
  } finally {
    await server.close();
    await app.close();
    await releaseDisksUnder(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
