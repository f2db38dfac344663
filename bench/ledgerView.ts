/**
 * The ledger view's figures on a real sandbox:
 * - `rwSetShownMs`: a submit's reply received → its read/write set readable by the
 *   client. The set rides inside the invoke reply, so this is the wire encoding and
 *   the client's decoding of that reply until the written key is found (median of 20).
 * - `worldState10kMs`: with 10,000 keys in the chaincode's namespace (the probe
 *   chaincode's PutMany, 1,000 keys a transaction), the first page of
 *   `ledger/worldState` right after a new block, as the server's handler answers it
 *   and encoded as sent (median of 20); not the WebSocket hop, which adds one
 *   loopback round trip. `worldStateSearch10kMs`: a key search over the same keys.
 *
 * Alone: `node --import tsx bench/ledgerView.ts` prints the figures and one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type Docker from 'dockerode';
import type { InvokeResult } from '../protocol/messages.ts';
import { projectRoot } from '../server/config.ts';
import { ledgerWorldState } from '../server/ledger/ledgerRequests.ts';
import { createDocker } from '../server/sandbox/docker.ts';
import { ensureSandboxImage } from '../server/sandbox/image/buildImage.ts';
import { releaseDisksUnder } from '../server/sandbox/ledgerDisk.ts';
import { createSandboxManager } from '../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../server/session/workspaceSession.ts';
import { percentile } from './percentile.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

export const ledgerTargets = { rwSetShownMs: 200, worldState10kMs: 500 };

const probeDir = path.join(projectRoot, 'tests', 'fixtures', 'probe-chaincode');
const keys = 10_000;
const keysPerTransaction = 1_000;

export async function measureLedgerView(docker: Docker, report: Report): Promise<Record<string, number>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-bench-ledger-'));
  const sandboxes = createSandboxManager({ docker, dataDir, instance: `ccs-ledger-${randomBytes(3).toString('hex')}` });
  const workspaceDir = path.join(dataDir, 'workspaces', 'ledger');
  await fs.cp(probeDir, workspaceDir, { recursive: true });
  const session = new WorkspaceSession({ workspace: 'ledger', workspaceDir, sandboxes, publish: () => undefined });
  try {
    const run = await session.run();
    if (!run.ok) throw new Error(`the probe chaincode did not build: ${JSON.stringify(run.diagnostics.slice(0, 3))}`);
    const submit = (fn: string, ...args: string[]) => session.invoke({ workspace: 'ledger', mode: 'submit', contract: '', fn, args });

    const shown: number[] = [];
    for (let i = 0; i < 20; i++) {
      const key = `rw${i}`;
      const reply = await submit('Put', key, `{"n":${i}}`);
      const received = performance.now();
      // What the browser gets: the reply as text, parsed, and the written key found in its set.
      const decoded = JSON.parse(JSON.stringify(reply)) as InvokeResult;
      const found = decoded.readWriteSet?.namespaces.some((ns) => ns.writes.some((w) => w.key === key));
      if (!found) throw new Error(`the submit's reply carried no write of ${key}`);
      shown.push(performance.now() - received);
    }
    const rwSetShownMs = Math.round(percentile(shown, 50) * 100) / 100;
    report('rwSetShownMs', rwSetShownMs, ` ms (reply received → set decoded, median of 20)`);

    for (let t = 0; t < keys / keysPerTransaction; t++) await submit('PutMany', `k${t}-`, String(keysPerTransaction), `{"batch":${t},"owner":"bench"}`);
    // The index follows committed blocks on its own; wait until it holds every key.
    const deadline = Date.now() + 120_000;
    const total = () => ledgerWorldState(session, { workspace: 'ledger', offset: 0, limit: 1, search: 'k' }).total;
    while (total() < keys) {
      if (Date.now() > deadline) throw new Error(`the ledger index holds ${total()} of ${keys} keys after 2 minutes`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Each round commits one more key, so the page is the first one after a block: the index sorts its keys again.
    const pages: number[] = [];
    const searches: number[] = [];
    for (let i = 0; i < 20; i++) {
      const reply = await submit('Put', `k-extra-${i}`, '{}');
      const committed = BigInt(reply.blockNumber ?? '0') + 1n;
      while ((session.ledger?.index.height ?? 0n) < committed) await new Promise((r) => setTimeout(r, 5));
      let started = performance.now();
      const page = ledgerWorldState(session, { workspace: 'ledger', offset: 0, limit: 100 });
      JSON.stringify(page);
      pages.push(performance.now() - started);
      if (page.total < keys || page.entries.length !== 100) throw new Error(`the first page held ${page.entries.length} of ${page.total} keys`);
      started = performance.now();
      const found = ledgerWorldState(session, { workspace: 'ledger', offset: 0, limit: 100, search: `k${i % 10}-000${i}` });
      JSON.stringify(found);
      searches.push(performance.now() - started);
      if (found.total < 1) throw new Error(`the search for k${i % 10}-000${i} found nothing`);
    }
    const worldState10kMs = Math.round(percentile(pages, 50) * 100) / 100;
    report('worldState10kMs', worldState10kMs, ` ms (first page of 100 over ${keys} keys right after a block, as the server answers it and encodes it; median of 20, slowest ${Math.round(Math.max(...pages) * 100) / 100} ms)`);
    const worldStateSearch10kMs = Math.round(percentile(searches, 50) * 100) / 100;
    report('worldStateSearch10kMs', worldStateSearch10kMs, ` ms (a key search over the same ${keys} keys, median of 20)`);
    return { rwSetShownMs, worldState10kMs, worldStateSearch10kMs };
  } finally {
    await session.destroy().catch(() => undefined);
    await session.close();
    await releaseDisksUnder(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const docker = createDocker();
  ensureSandboxImage(docker, (step, message) => console.log(`[image:${step}] ${message}`))
    .then(() => measureLedgerView(docker, (name, value, unit = '') => console.log(`${name}: ${value}${unit}`)))
    .then((figures) => console.log(JSON.stringify(figures)))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.stack : String(err));
      process.exit(1);
    });
}
