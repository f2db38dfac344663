/**
 * The Docker daemon dies (kill -9, with its containerd) under a running
 * sandbox, and comes back. The daemon is a private one the test starts, so
 * the host's main daemon is never touched. After each step the status says
 * what is true, a Docker-needing action fails with a `docker` error that says
 * what to do, the server objects throw nothing unhandled, one Run recovers,
 * the ledger survives, and destroying leaves nothing on the daemon.
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureSandboxImage } from '../../../server/sandbox/image/buildImage.ts';
import { samplesDir } from '../../../server/config.ts';
import { ErrorCode } from '../../../server/errors.ts';
import { createDocker } from '../../../server/sandbox/docker.ts';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { createTestSandboxes, type TestSandboxes } from '../../kit/sandboxTestKit.ts';
import { isRunning, startPrivateDockerd, type PrivateDockerd } from '../../kit/privateDockerd.ts';

// Apart from the main daemon's pools (172.17-31.x and 192.168.x), which the private daemon cannot see.
const addressPool = '10.231.0.0/16';
const addressPrefix = '10.231.';

let dockerd: PrivateDockerd | undefined;
let kit: TestSandboxes | undefined;
let s: WorkspaceSession;
/** The sandbox container as first created, and the host pid of its init. */
let containerIdAtStart = '';
let initPid = 0;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

const d = () => {
  if (!dockerd) throw new Error('the private dockerd did not start');
  return dockerd;
};
const k = () => {
  if (!kit) throw new Error('the test sandboxes were not created');
  return kit;
};
const container = () => d().docker.getContainer(`${k().instance}-asset`);
const readOwner = async (id: string) => (JSON.parse(await k().call(s, 'evaluate', 'ReadAsset', id)) as { Owner: string }).Owner;
const dockerDown = { code: ErrorCode.Docker, message: expect.stringMatching(/^Docker is not reachable while trying to .+\. Start the Docker daemon .*and try again\.$/) };

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  const main = createDocker();
  const image = await ensureSandboxImage(main);
  dockerd = await startPrivateDockerd({ addressPool });
  const loadStarted = Date.now();
  await dockerd.loadImage(main, image.tag);
  console.log(`[faults] private dockerd up, image loaded in ${Date.now() - loadStarted} ms`);
  kit = await createTestSandboxes('ccs-dockerd', { docker: dockerd.docker });
  s = await kit.workspace('asset', path.join(samplesDir, 'asset-transfer-ts'));
  expect((await s.run()).ok).toBe(true);
  await kit.call(s, 'submit', 'CreateAsset', 'kept', 'blue', '5', 'Before', '100');
  const info = await container().inspect();
  containerIdAtStart = info.Id;
  initPid = info.State.Pid;
});

afterEach(() => {
  expect(unhandled).toEqual([]);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  try {
    await kit?.cleanup();
  } finally {
    await dockerd?.dispose();
  }
});

describe('the Docker daemon killed', () => {
  it('leaves the running sandbox answering, says so, and Stop or Destroy fails saying Docker is not reachable', async () => {
    const killed = await d().kill();
    expect(await isRunning(killed.dockerdPid)).toBe(false);
    expect(killed.containerdPid).toEqual(expect.any(Number));
    expect(await isRunning(killed.containerdPid ?? 0)).toBe(false);
    await expect(d().docker.ping()).rejects.toThrow();
    // The container runs on under its shim, and the server talks to it by IP: that is the truth to show.
    expect(await isRunning(initPid)).toBe(true);
    expect(s.status).toMatchObject({ phase: 'ready', chaincode: 'running' });
    expect(await readOwner('kept')).toBe('Before');
    await k().call(s, 'submit', 'CreateAsset', 'during', 'red', '1', 'Outage', '1');

    await expect(s.stop()).rejects.toMatchObject(dockerDown);
    // Stop did not happen, so the sandbox is still in use, and the status says why Stop failed.
    expect(s.status).toMatchObject({ phase: 'ready', chaincode: 'running', message: expect.stringMatching(/Docker is not reachable/) });
    expect(await readOwner('during')).toBe('Outage');
    await expect(s.destroy()).rejects.toMatchObject(dockerDown);
    expect(s.status).toMatchObject({ phase: 'ready', chaincode: 'running' });
    expect(await readOwner('during')).toBe('Outage');
    // Run needs no Docker while the container runs: it restarts the chaincode inside it.
    expect((await s.run()).ok).toBe(true);
    expect(await readOwner('kept')).toBe('Before');
  });

  it('reports a sandbox that dies meanwhile as stopped, and Run fails saying Docker is not reachable', async () => {
    // Its init, killed from the host: the pid came from Docker before Docker died.
    process.kill(initPid, 'SIGKILL');
    await expect.poll(() => s.status.phase, { timeout: 15_000 }).toBe('stopped');
    expect(s.status.chaincode).toBe('stopped');
    expect(s.logHistory.some((l) => l.text.includes('Lost contact with the sandbox') && l.text.includes('Press Run'))).toBe(true);

    await expect(s.run()).rejects.toMatchObject(dockerDown);
    expect(s.status).toMatchObject({ phase: 'error', chaincode: 'stopped', message: expect.stringMatching(/Docker is not reachable/) });
    await expect(k().call(s, 'evaluate', 'ReadAsset', 'kept')).rejects.toMatchObject({ code: ErrorCode.SandboxNotReady });
  });

  it('once Docker is back, one Run starts the same container again with its ledger', async () => {
    const restarted = Date.now();
    await d().start();
    const restartMs = Date.now() - restarted;
    expect((await container().inspect()).State.Running).toBe(false);
    const started = Date.now();
    expect((await s.run()).ok).toBe(true);
    console.log(`[faults] Docker killed: daemon back in ${restartMs} ms, one Run brought the sandbox back in ${Date.now() - started} ms`);
    expect(s.status).toMatchObject({ phase: 'ready', chaincode: 'running' });
    expect((await container().inspect()).Id).toBe(containerIdAtStart);
    expect(await readOwner('kept')).toBe('Before');
    expect(await readOwner('during')).toBe('Outage');
  });
});

describe('the Docker daemon restarted under a running sandbox', () => {
  it('stops the sandbox (no live restore), the status says so, and one Run recovers with the ledger', async () => {
    await d().kill();
    const restarted = Date.now();
    await d().start();
    // Without live restore a starting daemon stops the containers it finds running.
    await expect.poll(() => s.status.phase, { timeout: 30_000 }).toBe('stopped');
    console.log(`[faults] Docker restarted: sandbox reported stopped ${Date.now() - restarted} ms after the restart began`);
    expect(s.logHistory.filter((l) => l.text.includes('Lost contact with the sandbox')).length).toBe(2);
    const started = Date.now();
    expect((await s.run()).ok).toBe(true);
    console.log(`[faults] Docker restarted: one Run brought the sandbox back in ${Date.now() - started} ms`);
    expect(await readOwner('kept')).toBe('Before');
    expect(await readOwner('during')).toBe('Outage');
    expect((await container().inspect()).Id).toBe(containerIdAtStart);
  });
});

describe('afterwards', () => {
  it('destroying the sandbox leaves no container, network or volume on the daemon', async () => {
    await s.destroy();
    const docker = d().docker;
    expect(await docker.listContainers({ all: true })).toEqual([]);
    // Only the daemon's built-in networks remain (its default bridge is the test's own ccs-pd… interface).
    expect((await docker.listNetworks()).map((n) => n.Name).sort()).toEqual(['bridge', 'host', 'none']);
    expect((await docker.listVolumes()).Volumes ?? []).toEqual([]);
    const bridgeAddresses = Object.values(os.networkInterfaces()).flatMap((addresses) => addresses ?? []).filter((a) => a.address.startsWith(addressPrefix));
    expect(bridgeAddresses).toEqual([]);
  });
});
