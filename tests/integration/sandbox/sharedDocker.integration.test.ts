/**
 * Two servers on one Docker daemon with the same STUDIO_INSTANCE name prefix
 * but their own data dirs: neither lists, reattaches to or removes the other's
 * sandbox. And the host firewall rule, deleted behind the server's back, is
 * put back when the server reattaches to its sandbox.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../../../server/app.ts';
import { bridgePrefix, samplesDir } from '../../../server/config.ts';
import { ErrorCode } from '../../../server/errors.ts';
import { createDocker } from '../../../server/sandbox/docker.ts';
import { releaseDisksUnder } from '../../../server/sandbox/ledgerDisk.ts';

const exec = promisify(execFile);
const docker = createDocker();
const instance = `ccs-share-${randomBytes(3).toString('hex')}`;
const firewallRule = ['INPUT', '-i', `${bridgePrefix}+`, '-m', 'conntrack', '--ctstate', 'NEW,INVALID', '-j', 'DROP'];
const dataDirs: string[] = [];
const apps: App[] = [];

async function dataDirWith(workspaces: string[]): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-share-'));
  dataDirs.push(dir);
  for (const ws of workspaces) await fs.cp(path.join(samplesDir, 'asset-transfer-js'), path.join(dir, 'workspaces', ws), { recursive: true });
  return dir;
}

function app(dataDir: string): App {
  const a = createApp({ dataDir, docker, hub: () => undefined, instance, idleStopMs: 0 });
  apps.push(a);
  return a;
}

async function ruleInPlace(command: 'iptables' | 'ip6tables'): Promise<boolean> {
  return exec(command, ['-w', '-C', ...firewallRule]).then(
    () => true,
    () => false,
  );
}

/** Deletes every copy of the rule, as a firewall reload would. */
async function deleteRule(command: 'iptables' | 'ip6tables'): Promise<void> {
  while (await ruleInPlace(command)) await exec(command, ['-w', '-D', ...firewallRule]);
}

let first: App;
let firstDir: string;

beforeAll(async () => {
  firstDir = await dataDirWith(['shared']);
  first = app(firstDir);
  expect((await (await first.session('shared')).run()).ok).toBe(true);
});

afterAll(async () => {
  const owner = app(firstDir);
  await (await owner.session('shared')).destroy().catch(() => undefined);
  for (const a of apps) await a.close();
  for (const dir of dataDirs) {
    await releaseDisksUnder(dir);
    await fs.rm(dir, { recursive: true, force: true });
  }
  const left = await docker.listContainers({ all: true, filters: { name: [`${instance}-`] } });
  expect(left).toEqual([]);
});

it('keeps one server from removing, reattaching to or starting over the sandbox of another with the same instance name', async () => {
  const container = docker.getContainer(`${instance}-shared`);
  // The second server has a workspace of the same name, and none for the first one's sandbox to belong to.
  const secondDir = await dataDirWith(['shared']);
  await fs.rm(path.join(secondDir, 'workspaces', 'shared'), { recursive: true });
  const second = app(secondDir);
  await second.reattach();
  expect((await container.inspect()).State.Running).toBe(true);
  expect(await second.sandboxes.list()).toEqual([]);

  await fs.cp(path.join(samplesDir, 'asset-transfer-js'), path.join(secondDir, 'workspaces', 'shared'), { recursive: true });
  const s = await second.session('shared');
  await s.reattach();
  expect(s.sandboxRunning).toBe(false);
  await expect(s.run()).rejects.toMatchObject({ code: ErrorCode.Sandbox, message: expect.stringMatching(/belongs to another Chaincode Studio server .*STUDIO_INSTANCE/) });
  await second.sandboxes.destroy('shared');
  expect((await container.inspect()).State.Running).toBe(true);
  expect((await (await first.session('shared')).invoke({ workspace: 'shared', mode: 'evaluate', contract: '', fn: 'GetAllAssets', args: [] })).result).toMatch(/^\[/);
});

it('labels the sandbox with the data dir instance id', async () => {
  const id = (await fs.readFile(path.join(firstDir, 'instance-id'), 'utf8')).trim();
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  expect((await fs.stat(path.join(firstDir, 'instance-id'))).mode & 0o777).toBe(0o600);
  const info = await docker.getContainer(`${instance}-shared`).inspect();
  expect(info.Config.Labels['io.chaincode-studio.instance-id']).toBe(id);
  const network = (await docker.getNetwork(`${instance}-shared-net`).inspect()) as { Labels?: Record<string, string>; EnableIPv6?: boolean };
  expect(network.Labels?.['io.chaincode-studio.instance-id']).toBe(id);
});

it('gives the sandbox network no IPv6, and puts the host firewall rules back when the server reattaches', async () => {
  const network = (await docker.getNetwork(`${instance}-shared-net`).inspect()) as { EnableIPv6?: boolean };
  expect(network.EnableIPv6).toBe(false);
  const info = await docker.getContainer(`${instance}-shared`).inspect();
  expect(info.NetworkSettings.Networks[`${instance}-shared-net`]?.GlobalIPv6Address ?? '').toBe('');

  await deleteRule('iptables');
  await deleteRule('ip6tables');
  try {
    await first.close();
    const restarted = app(firstDir);
    await restarted.reattach();
    expect((await restarted.session('shared')).sandboxRunning).toBe(true);
    expect(await ruleInPlace('iptables')).toBe(true);
    expect(await ruleInPlace('ip6tables')).toBe(true);
  } finally {
    // Never leave the host open to the sandboxes of other test runs.
    for (const command of ['iptables', 'ip6tables'] as const) if (!(await ruleInPlace(command))) await exec(command, ['-w', '-I', ...firewallRule]);
  }
});
