/**
 * The sandbox against the real thing: real Docker, the real Fabric peer in dev
 * mode, the real Gateway. Each test file uses its own sandbox instance name,
 * and everything it creates is destroyed in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../../protocol/messages.ts';
import type { ReadWriteSet } from '../../../protocol/ledger.ts';
import { chaincodeUid, samplesDir, sandboxMemoryBytes, sandboxPidsLimit } from '../../../server/config.ts';
import { StudioError } from '../../../server/errors.ts';
import { createDocker } from '../../../server/sandbox/docker.ts';
import { createSandboxManager } from '../../../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { releaseDisksUnder } from '../../../server/sandbox/ledgerDisk.ts';

const docker = createDocker();
const instance = `ccs-it-${randomBytes(3).toString('hex')}`;
let dataDir: string;
const sessions: WorkspaceSession[] = [];
const notifications: Notification[] = [];

async function workspace(id: string, from: string): Promise<WorkspaceSession> {
  const dir = path.join(dataDir, 'workspaces', id);
  await fs.cp(from, dir, { recursive: true });
  const sandboxes = createSandboxManager({ docker, dataDir, instance });
  const session = new WorkspaceSession({ workspace: id, workspaceDir: dir, sandboxes, publish: (n) => notifications.push(n) });
  sessions.push(session);
  return session;
}

async function expectChaincodeError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StudioError);
  expect((err as StudioError).code).toBe('chaincode');
  expect((err as StudioError).message).toMatch(message);
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-it-'));
});

afterAll(async () => {
  for (const s of sessions) {
    await s.destroy().catch(() => undefined);
    await s.close();
  }
  await releaseDisksUnder(dataDir);
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('a sandbox running the TypeScript sample', () => {
  let ts: WorkspaceSession;

  beforeAll(async () => {
    ts = await workspace('asset-ts', path.join(samplesDir, 'asset-transfer-ts'));
  });

  it('runs the chaincode and reads its contract metadata', async () => {
    const outcome = await ts.run();
    expect(outcome.ok).toBe(true);
    expect(outcome.status.phase).toBe('ready');
    expect(outcome.status.chaincode).toBe('running');
    expect(outcome.status.fabricVersion).toMatch(/^2\.5\./);
    const create = outcome.metadata?.contracts[0]?.transactions.find((t) => t.name === 'CreateAsset');
    expect(create?.params.map((p) => `${p.name}:${p.type}`)).toEqual(['id:string', 'color:string', 'size:number', 'owner:string', 'appraisedValue:number']);
    expect(outcome.metadata?.contracts[0]?.transactions.find((t) => t.name === 'ReadAsset')?.kind).toBe('evaluate');
  });

  it('creates, reads, transfers and lists assets, with events', async () => {
    const created = await ts.invoke({ workspace: 'asset-ts', mode: 'submit', contract: '', fn: 'CreateAsset', args: ['asset1', 'blue', '5', 'Tomoko', '300'] });
    expect(created.validationCode).toBe('VALID');
    expect(created.txId).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(created.blockNumber)).toBeGreaterThan(0);
    expect(created.events).toHaveLength(1);
    expect(created.events[0]?.name).toBe('AssetCreated');
    expect(JSON.parse(created.events[0]?.payload ?? '{}')).toMatchObject({ ID: 'asset1', Owner: 'Tomoko' });

    const read = await ts.invoke({ workspace: 'asset-ts', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['asset1'] });
    expect(JSON.parse(read.result)).toMatchObject({ ID: 'asset1', Color: 'blue', Size: 5, Owner: 'Tomoko', AppraisedValue: 300 });

    const transfer = await ts.invoke({ workspace: 'asset-ts', mode: 'submit', contract: '', fn: 'TransferAsset', args: ['asset1', 'Max'] });
    expect(transfer.result).toBe('Tomoko');
    expect(transfer.events[0]?.name).toBe('AssetTransferred');
    expect(Number(transfer.blockNumber)).toBeGreaterThan(Number(created.blockNumber));

    const all = await ts.invoke({ workspace: 'asset-ts', mode: 'evaluate', contract: '', fn: 'GetAllAssets', args: [] });
    expect(JSON.parse(all.result)).toEqual([expect.objectContaining({ ID: 'asset1', Owner: 'Max' })]);

    // The chaincode's own console.log line reaches the log stream, tagged as chaincode.
    await expect.poll(() => ts.logHistory.some((l) => l.source === 'chaincode' && l.text.includes('CreateAsset asset1 owned by Tomoko')), { timeout: 5000 }).toBe(true);
    expect(ts.logHistory.some((l) => l.source === 'peer')).toBe(true);
    expect(ts.logHistory.some((l) => l.source === 'orderer')).toBe(true);
  });

  it('shows what each transaction read and wrote, decoded from what the peer endorsed', async () => {
    const call = (mode: 'submit' | 'evaluate', fn: string, ...args: string[]) => ts.invoke({ workspace: 'asset-ts', mode, contract: '', fn, args });
    const basic = (result: { readWriteSet?: ReadWriteSet }) => result.readWriteSet?.namespaces.find((n) => n.namespace === 'basic');

    const created = await call('submit', 'CreateAsset', 'rw1', 'red', '3', 'Ana', '10');
    expect(basic(created)?.reads).toEqual([{ key: 'rw1' }]); // AssetExists read it before it existed: no version
    const [write] = basic(created)?.writes ?? [];
    expect(write?.key).toBe('rw1');
    expect(JSON.parse(write?.value?.text ?? '{}')).toMatchObject({ ID: 'rw1', Color: 'red', Owner: 'Ana' });

    const moved = await call('submit', 'TransferAsset', 'rw1', 'Bo');
    expect(basic(moved)?.reads).toEqual([{ key: 'rw1', version: { blockNum: created.blockNumber, txNum: '0' } }]);
    expect(JSON.parse(basic(moved)?.writes[0]?.value?.text ?? '{}')).toMatchObject({ ID: 'rw1', Owner: 'Bo' });

    // An evaluate shows the reads and the writes it would have made, and commits nothing.
    const wouldMove = await call('evaluate', 'TransferAsset', 'rw1', 'Cy');
    expect(JSON.parse(basic(wouldMove)?.writes[0]?.value?.text ?? '{}')).toMatchObject({ Owner: 'Cy' });
    expect(JSON.parse((await call('evaluate', 'ReadAsset', 'rw1')).result)).toMatchObject({ Owner: 'Bo' });

    const all = await call('evaluate', 'GetAllAssets');
    const [range] = basic(all)?.rangeQueries ?? [];
    // fabric-shim sends an empty start key as "\u0001" (the smallest key), as the Go shim does.
    expect(range).toMatchObject({ startKey: '\u0001', endKey: '', exhausted: true });
    expect(range?.reads?.map((r) => r.key)).toContain('rw1');

    const deleted = await call('submit', 'DeleteAsset', 'rw1');
    expect(basic(deleted)?.writes).toEqual([{ key: 'rw1', isDelete: true }]);
  });

  it('gives the chaincode its own error message', async () => {
    await expectChaincodeError(ts.invoke({ workspace: 'asset-ts', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['nope'] }), /^The asset nope does not exist$/);
    await expectChaincodeError(ts.invoke({ workspace: 'asset-ts', mode: 'submit', contract: '', fn: 'CreateAsset', args: ['asset1', 'red', '1', 'A', '1'] }), /already exists/);
  });

  it('reports a compile error with its file, line and column, and keeps the old chaincode running', async () => {
    const file = path.join(dataDir, 'workspaces', 'asset-ts', 'src', 'assetTransferContract.ts');
    const original = await fs.readFile(file, 'utf8');
    const lines = original.split('\n');
    const at = lines.findIndex((l) => l.includes('public async ReadAsset'));
    lines.splice(at + 1, 0, '    const broken: number = "not a number";');
    await fs.writeFile(file, lines.join('\n'));
    try {
      const outcome = await ts.run();
      expect(outcome.ok).toBe(false);
      const error = outcome.diagnostics.find((d) => d.severity === 'error');
      expect(error).toMatchObject({ file: 'src/assetTransferContract.ts', line: at + 2, code: 'TS2322' });
      expect(error?.column).toBeGreaterThan(1);
      const read = await ts.invoke({ workspace: 'asset-ts', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['asset1'] });
      expect(JSON.parse(read.result).ID).toBe('asset1');
    } finally {
      await fs.writeFile(file, original);
    }
  });

  it('restarts edited code under the same definition, keeping the ledger', async () => {
    const before = ts.status.packageId;
    expect(before).toMatch(/_studio:[0-9a-f]{64}$/);
    const file = path.join(dataDir, 'workspaces', 'asset-ts', 'src', 'assetTransferContract.ts');
    const original = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, original.replaceAll('does not exist', 'is nowhere to be found'));
    const outcome = await ts.run();
    expect(outcome.ok).toBe(true);
    await expectChaincodeError(ts.invoke({ workspace: 'asset-ts', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['ghost'] }), /is nowhere to be found/);
    expect(ts.status.packageId).toBe(before);
    const read = await ts.invoke({ workspace: 'asset-ts', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['asset1'] });
    expect(JSON.parse(read.result).Owner).toBe('Max');
    await fs.writeFile(file, original);
  });

  it('restarts two saves in quick succession each from a process that loaded fabric-shim ahead, and the last edit answers', async () => {
    const file = path.join(dataDir, 'workspaces', 'asset-ts', 'src', 'assetTransferContract.ts');
    const original = await fs.readFile(file, 'utf8');
    const from = ts.logHistory.length;
    for (const i of [1, 2]) {
      await fs.writeFile(file, original.replaceAll('does not exist', `does not exist (quick ${i})`));
      expect((await ts.run()).ok).toBe(true);
    }
    await expectChaincodeError(ts.invoke({ workspace: 'asset-ts', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['ghost'] }), /\(quick 2\)/);
    const starts = ts.logHistory.slice(from).filter((l) => /^Chaincode \S+ started \(pid/.test(l.text));
    expect(starts.map((l) => l.text)).toEqual([expect.stringContaining('preloaded'), expect.stringContaining('preloaded')]);
    // Two standbys wait again, as the chaincode's user (not root), for the next saves, let go on once the
    // chaincode registered (they are stopped, state T, only while a chaincode starts).
    const standbys = async () => {
      const top = (await docker.getContainer(`${instance}-asset-ts`).top({ ps_args: '-o pid,user,stat,args' })) as { Processes: string[][] };
      return top.Processes.filter((row) => row.some((column) => column.includes('standbyProcess.mjs')));
    };
    const deadline = Date.now() + 30_000;
    while ((await standbys()).length !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const waiting = await standbys();
    expect(waiting).toHaveLength(2);
    for (const row of waiting) {
      expect(row[1]).not.toBe('root');
      expect(row[2]).not.toMatch(/^T/);
    }
    await fs.writeFile(file, original);
  });

  it("loads the standbys' runtime from the code cache the image was built with, which V8 takes", async () => {
    // As a standby loads it: the chaincode's uid, its node flags, the image's paths.
    const script = `import { createRequire } from 'node:module';
import { useCodeCache } from '/opt/studio/agent/codeCache.mjs';
import { preloadRuntime } from '/opt/studio/agent/standbyPreload.mjs';
const cache = useCodeCache('/opt/chaincode/node_modules', '/opt/chaincode/code-cache.bin');
preloadRuntime(createRequire(import.meta.url), '/opt/chaincode/node_modules');
cache.done();
console.log(JSON.stringify(cache.use));`;
    const container = docker.getContainer(`${instance}-asset-ts`);
    const top = (await container.top({ ps_args: '-o pid,args' })) as { Processes: string[][] };
    const standby = top.Processes.flat().find((args) => args.includes('standbyProcess.mjs')) ?? '';
    const args = standby.split(' ');
    const nodeFlags = args.slice(0, args.findIndex((arg) => arg.endsWith('standbyProcess.mjs'))).filter((arg) => arg.startsWith('--'));
    expect(nodeFlags.length).toBeGreaterThan(0);
    const exec = await container.exec({ Cmd: ['/usr/local/bin/node', ...nodeFlags, '--input-type=module', '-e', script], User: String(chaincodeUid), AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    let output = '';
    stream.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await new Promise((resolve) => stream.on('end', resolve));
    const use = JSON.parse(/\{"accepted".*\}/.exec(output)?.[0] ?? '{}') as { accepted?: number; rejected?: number };
    expect(use.rejected, output).toBe(0);
    expect(use.accepted, output).toBeGreaterThan(100);
  });

  it('keeps two sandboxes apart', async () => {
    const js = await workspace('asset-js', path.join(samplesDir, 'asset-transfer-js'));
    const outcome = await js.run();
    expect(outcome.ok).toBe(true);
    await js.invoke({ workspace: 'asset-js', mode: 'submit', contract: '', fn: 'CreateAsset', args: ['only-in-js', 'green', '1', 'Ana', '10'] });
    const exists = await ts.invoke({ workspace: 'asset-ts', mode: 'evaluate', contract: '', fn: 'AssetExists', args: ['only-in-js'] });
    expect(exists.result).toBe('false');
    const inJs = await js.invoke({ workspace: 'asset-js', mode: 'evaluate', contract: '', fn: 'AssetExists', args: ['asset1'] });
    expect(inJs.result).toBe('false');
    await js.destroy();
  });
});

describe('isolation of untrusted chaincode', () => {
  let probe: WorkspaceSession;
  let hostServer: net.Server;
  let hostPort: number;
  const call = async (fn: string, ...args: string[]) =>
    (await probe.invoke({ workspace: 'probe', mode: 'submit', contract: '', fn, args })).result;

  beforeAll(async () => {
    probe = await workspace('probe', path.join(import.meta.dirname, '..', '..', 'fixtures', 'probe-chaincode'));
    expect((await probe.run()).ok).toBe(true);
    hostServer = net.createServer((s) => s.end('hello from the host\n'));
    await new Promise<void>((resolve) => hostServer.listen(0, '0.0.0.0', resolve));
    hostPort = (hostServer.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => hostServer.close(resolve));
  });

  // Proved by configuration and local probes only (tests/integration/security/hostileChaincode.integration.test.ts has the rest).
  it('is on an internal, IPv4-only network', async () => {
    const info = await docker.getNetwork(`${instance}-probe-net`).inspect();
    expect(info).toMatchObject({ Internal: true, EnableIPv6: false });
  });

  it('cannot reach a service listening on the host', async () => {
    const info = await docker.getNetwork(`${instance}-probe-net`).inspect();
    const gateway = (info.IPAM?.Config?.[0] as { Gateway?: string } | undefined)?.Gateway;
    expect(gateway).toBeTruthy();
    expect(await call('Connect', gateway ?? '', String(hostPort))).toBe('ETIMEDOUT');
  });

  it('sees no host files and none of our secrets', async () => {
    expect(await call('Read', '/etc/hostname')).not.toBe(os.hostname());
    expect(await call('Read', '/var/run/docker.sock')).toMatch(/ENOENT/);
    const env = JSON.parse(await call('Env')) as string[];
    expect(env.some((k) => k.includes('TOKEN'))).toBe(false);
  });

  it('runs without capabilities, read-only, with memory, CPU and pids limits', async () => {
    const info = await docker.getContainer(`${instance}-probe`).inspect();
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges');
    expect(info.HostConfig.Memory).toBe(sandboxMemoryBytes);
    expect(info.HostConfig.PidsLimit).toBe(sandboxPidsLimit);
    expect(info.HostConfig.NanoCpus).toBeGreaterThan(0);
    expect(info.Mounts.some((m) => m.Source?.includes('docker.sock'))).toBe(false);
    expect(info.Config.User).not.toMatch(/^(0|root)?$/);
  });

  it('holds the pids limit against a fork bomb, and the peer survives it', async () => {
    const outcome = JSON.parse(await call('Spawn', String(sandboxPidsLimit + 200))) as { started: number; error: string };
    expect(outcome.started).toBeLessThan(sandboxPidsLimit);
    expect(outcome.error).toMatch(/EAGAIN|ENOMEM/);
    // Restarting the chaincode kills its whole process group; the peer answers again.
    expect((await probe.run()).ok).toBe(true);
    expect(await call('Connect', '127.0.0.1', '7051')).toBe('connected');
  });

  it('holds the memory limit: the chaincode is killed, the peer is not, and Run recovers', async () => {
    const err = await call('Alloc', String(Math.ceil((sandboxMemoryBytes / 1024 / 1024) * 1.5))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StudioError);
    await expect.poll(() => probe.status.chaincode, { timeout: 10_000 }).toBe('crashed');
    expect(probe.status.phase).toBe('ready');
    expect((await probe.run()).ok).toBe(true);
    expect(await call('Connect', '127.0.0.1', '7051')).toBe('connected');
  });
});

describe('destroying a sandbox', () => {
  it('leaves no container, network or volume', async () => {
    const s = await workspace('doomed', path.join(samplesDir, 'asset-transfer-js'));
    expect((await s.run()).ok).toBe(true);
    await s.destroy();
    const containers = await docker.listContainers({ all: true, filters: { name: [`${instance}-doomed`] } });
    const networks = await docker.listNetworks({ filters: { name: [`${instance}-doomed`] } });
    const volumes = await docker.listVolumes({ filters: { name: [`${instance}-doomed`] } });
    expect(containers).toHaveLength(0);
    expect(networks).toHaveLength(0);
    expect(volumes.Volumes ?? []).toHaveLength(0);
  });
});
