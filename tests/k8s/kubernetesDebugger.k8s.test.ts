/**
 * The debugger on the Kubernetes driver: a breakpoint in the TypeScript
 * sample hit by a submit, the inspector reached through the agent over the
 * API server's port-forward, and what the user sees (paused .ts line, values).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification, NotificationMap } from '../../protocol/messages.ts';
import { samplesDir } from '../../server/config.ts';
import { createDocker } from '../../server/sandbox/docker.ts';
import { createSandboxManager } from '../../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../../server/session/workspaceSession.ts';

const source = 'src/assetTransferContract.ts';
let dataDir: string;
let session: WorkspaceSession;
let lines: string[];
const stops: NotificationMap['stopped'][] = [];
const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-k8s-dbg-'));
  const dir = path.join(dataDir, 'workspaces', 'dbg');
  await fs.cp(path.join(samplesDir, 'asset-transfer-ts'), dir, { recursive: true });
  lines = (await fs.readFile(path.join(dir, source), 'utf8')).split('\n');
  const sandboxes = createSandboxManager({ driver: 'kubernetes', docker: createDocker(), dataDir, instance: `ccs-k8s-dbg-${randomBytes(3).toString('hex')}` });
  session = new WorkspaceSession({
    workspace: 'dbg',
    workspaceDir: dir,
    sandboxes,
    publish: (n: Notification) => {
      if (n.method === 'stopped') stops.push(n.params as NotificationMap['stopped']);
    },
  });
  session.breakpoints.set(source, [{ line: lineOf('const asset: Asset =') }]);
  expect((await session.run()).ok).toBe(true);
});

afterAll(async () => {
  await session.destroy().catch(() => undefined);
  await session.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('debugging a transaction in a sandbox pod', () => {
  it('stops at the TypeScript line, shows the arguments and completes', async () => {
    const line = lineOf('const asset: Asset =');
    const set = await session.debugger().setBreakpoints(source, [{ line }]);
    expect(set.breakpoints[0]).toMatchObject({ verified: true, line });

    const before = stops.length;
    const pending = session.invoke({ workspace: 'dbg', mode: 'submit', contract: '', fn: 'CreateAsset', args: ['dbg1', 'red', '7', 'Ada', '900'] });
    await expect.poll(() => stops.length > before, { timeout: 30_000, interval: 20 }).toBe(true);
    const stop = stops[before];
    expect(stop).toMatchObject({ reason: 'breakpoint' });
    expect(stop?.frame?.source?.path).toBe(source);
    expect(stop?.frame?.line).toBe(line);

    const dbg = session.debugger();
    const top = (await dbg.stackTrace()).stackFrames[0];
    const local = (await dbg.scopes(top?.id ?? -1)).scopes.find((s) => s.name === 'Local');
    const { variables } = await dbg.variables(local?.variablesReference ?? -1);
    expect(variables.find((v) => v.name === 'id')?.value).toBe('"dbg1"');
    expect(variables.find((v) => v.name === 'size')?.value).toBe('7');

    await dbg.setBreakpoints(source, []);
    await dbg.continue();
    expect((await pending).validationCode).toBe('VALID');
  });
});
