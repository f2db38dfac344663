/**
 * A transaction paused at a breakpoint for longer than ten minutes still
 * completes with its result: every deadline on its path (peer execute
 * timeout, Gateway endorsement timeout, client deadlines) allows it.
 * Runs in its own vitest project, beside the other suites, since it waits.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { NotificationMap } from '../../protocol/messages.ts';
import { samplesDir } from '../../server/config.ts';
import { createDocker } from '../../server/sandbox/docker.ts';
import { createSandboxManager } from '../../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../../server/session/workspaceSession.ts';
import { releaseDisksUnder } from '../../server/sandbox/ledgerDisk.ts';

const pauseMs = Number(process.env.STUDIO_LONG_PAUSE_MS ?? 10.5 * 60_000);
let session: WorkspaceSession | undefined;
let dataDir = '';

afterAll(async () => {
  await session?.destroy().catch(() => undefined);
  await session?.close();
  if (dataDir) {
    await releaseDisksUnder(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});

it(`completes a transaction that stayed paused for ${Math.round(pauseMs / 1000)} s`, { timeout: pauseMs + 180_000 }, async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-long-'));
  const dir = path.join(dataDir, 'workspaces', 'long');
  await fs.cp(path.join(samplesDir, 'asset-transfer-ts'), dir, { recursive: true });
  const source = 'src/assetTransferContract.ts';
  const line = (await fs.readFile(path.join(dir, source), 'utf8')).split('\n').findIndex((l) => l.includes('const asset: Asset =')) + 1;
  const stops: NotificationMap['stopped'][] = [];
  session = new WorkspaceSession({
    workspace: 'long',
    workspaceDir: dir,
    sandboxes: createSandboxManager({ docker: createDocker(), dataDir, instance: `ccs-long-${randomBytes(3).toString('hex')}` }),
    publish: (n) => {
      if (n.method === 'stopped') stops.push(n.params as NotificationMap['stopped']);
    },
  });
  session.breakpoints.set(source, [{ line }]);
  expect((await session.run()).ok).toBe(true);

  const pending = session.invoke({ workspace: 'long', mode: 'submit', contract: '', fn: 'CreateAsset', args: ['slow1', 'blue', '1', 'Zoe', '1'] });
  await expect.poll(() => stops.length, { timeout: 30_000 }).toBe(1);
  expect(stops[0]?.frame?.line).toBe(line);
  await new Promise((r) => setTimeout(r, pauseMs));
  expect(session.debugger().isPaused).toBe(true);
  await session.debugger().continue();
  const result = await pending;
  expect(result.validationCode).toBe('VALID');
  const read = await session.invoke({ workspace: 'long', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['slow1'] });
  expect(JSON.parse(read.result).Owner).toBe('Zoe');
});
