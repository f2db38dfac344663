/**
 * Hostile chaincode against real sandboxes. For each attack: it is contained
 * by a named limit, the log or status names that limit, a second sandbox
 * keeps answering (its evaluate latency during the attack is measured and
 * bounded), and Run brings the attacked sandbox back.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPort, bridgePrefix, peerPort, sandboxDiskBytes, sandboxMemoryBytes, sandboxPidsLimit, sandboxTmpfsBytes, sandboxUid } from '../../../server/config.ts';
import { ErrorCode, StudioError } from '../../../server/errors.ts';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import {
  probeFromHost,
  probeFromSandbox,
  sandboxGlobalIPv6,
  sandboxNetwork,
  sandboxRoutes,
  startSink,
  type SandboxNetwork,
  type Sink,
} from '../../kit/networkProbes.ts';
import { createTestSandboxes, measureBystander, probeChaincodeDir, sleep, type LatencyFigures, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

const execFileAsync = promisify(execFile);
/** The chaincode's inspector port inside a sandbox (listening in debug mode only, on its loopback). */
const inspectorPort = 9229;
/** On a 2-core machine with the attacker holding its 1-core quota, a bystander's evaluate stays under this. */
const bystanderMaxMs = 3000;
const longTransactionWarnMs = 3000;

let kit: TestSandboxes;
let attacker: WorkspaceSession;
let bystander: WorkspaceSession;
const figures: Record<string, LatencyFigures> = {};

const logText = () => attacker.logHistory.map((l) => l.text).join('\n');
const settle = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

async function duringAttack(name: string, attack: Promise<unknown>, minMs?: number): Promise<void> {
  const latency = await measureBystander(kit, bystander, attack, minMs);
  figures[name] = latency;
  console.log(`[security] ${name}: bystander evaluate p50 ${latency.p50Ms} ms, max ${latency.maxMs} ms over ${latency.count} calls`);
  expect(latency.maxMs).toBeLessThan(bystanderMaxMs);
}

/**
 * Runs `script` with node in the attacker's container as the sandbox uid (the peer's): the
 * chaincode cannot write the ledger disk, a ledger that grows can.
 */
async function asPeer(script: string): Promise<string> {
  const { stdout } = await promisify(execFile)('docker', ['exec', '-u', `${sandboxUid}:${sandboxUid}`, `${kit.instance}-attacker`, '/usr/local/bin/node', '-e', script]);
  return stdout.trim();
}

async function expectRunRecovers(): Promise<void> {
  const outcome = await attacker.run();
  expect(outcome.ok).toBe(true);
  expect(attacker.status.chaincode).toBe('running');
  expect(await kit.call(attacker, 'submit', 'Put', 'alive', 'yes')).toBe('yes');
}

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-sec');
  attacker = await kit.workspace('attacker', probeChaincodeDir, { longTransactionWarnMs });
  bystander = await kit.workspace('bystander', probeChaincodeDir);
  const [a, b] = await Promise.all([attacker.run(), bystander.run()]);
  expect(a.ok && b.ok).toBe(true);
  await kit.call(bystander, 'submit', 'Put', 'k', 'v');
});

afterAll(async () => {
  console.log(`[security] bystander latency during attacks: ${JSON.stringify(figures)}`);
  await kit.cleanup();
  expect(await kit.containers()).toEqual([]);
});

describe('CPU', () => {
  it('reports a transaction stuck in a loop, and Run kills it and fails the transaction clearly', async () => {
    const stuck = settle(kit.call(attacker, 'evaluate', 'Spin'));
    await duringAttack('infinite loop in a transaction', sleep(longTransactionWarnMs + 1500));
    expect(attacker.status.message).toMatch(/Spin is still running after \d+ s: possible infinite loop; the chaincode is limited to 1 core of CPU; press Restart/);
    expect(logText()).toContain('possible infinite loop');
    await expectRunRecovers();
    const err = await stuck;
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).code).toBe(ErrorCode.ChaincodeNotRunning);
    expect((err as StudioError).message).toMatch(/Spin did not finish: the chaincode was restarted while the transaction was in it, so nothing was committed/);
  });

  it('names the CPU quota when the chaincode spins outside any transaction', async () => {
    expect(await kit.call(attacker, 'evaluate', 'SpinInBackground')).toBe('spinning');
    const reported = (async () => {
      while (!logText().includes('used its whole CPU quota 1 core')) await sleep(250);
    })();
    await duringAttack('CPU spin outside transactions', reported);
    expect(logText()).toMatch(/The chaincode has used its whole CPU quota 1 core for \d+ s/);
    await expectRunRecovers();
  });
});

describe('processes, memory, output', () => {
  it('holds the process limit against a fork bomb and names it', async () => {
    const bomb = kit.call(attacker, 'submit', 'Spawn', String(sandboxPidsLimit + 200));
    await duringAttack('fork bomb', bomb);
    const outcome = JSON.parse(await bomb) as { started: number; error: string };
    expect(outcome.started).toBeLessThan(sandboxPidsLimit);
    expect(outcome.error).toMatch(/EAGAIN|ENOMEM/);
    await expect.poll(logText, { timeout: 5000 }).toContain(`process limit (${sandboxPidsLimit}) reached`);
    await expectRunRecovers();
  });

  it('kills a memory bomb at the memory limit and says so', async () => {
    const bomb = settle(kit.call(attacker, 'submit', 'Alloc', String(Math.ceil((sandboxMemoryBytes / 1024 / 1024) * 1.5))));
    await duringAttack('memory bomb', bomb);
    expect(await bomb).toBeInstanceOf(StudioError);
    await expect.poll(() => attacker.status.chaincode, { timeout: 10_000 }).toBe('crashed');
    const limit = `sandbox memory limit (${sandboxMemoryBytes / 1024 / 1024} MB)`;
    expect(attacker.status.message).toContain(`killed: ${limit}`);
    expect(attacker.status.phase).toBe('ready');
    await expectRunRecovers();
  });

  it('drops an output flood at the log rate limit', async () => {
    const flood = kit.call(attacker, 'evaluate', 'Flood', '200000');
    await duringAttack('stdout flood', flood);
    expect(await flood).toBe('200000');
    await expect.poll(logText, { timeout: 5000 }).toMatch(/chaincode log lines dropped: over the log rate limit of \d+ lines per second/);
    await expectRunRecovers();
  });
});

describe('disk', () => {
  it('bounds the ledger disk: writes stop at the quota, the ledger survives, freeing space heals it', async () => {
    expect(JSON.parse(await kit.call(attacker, 'evaluate', 'Fill', '/var/sandbox', '1'))).toEqual({ written: 0, error: 'EACCES' });
    const mb = 2 * sandboxDiskBytes / 1024 / 1024;
    const fill = asPeer(
      `const fs = require('fs'); const chunk = Buffer.alloc(1 << 20, 7); let written = 0, error = '';
       try { for (; written < ${mb}; written++) fs.writeFileSync('/var/sandbox/fill-' + written, chunk); } catch (e) { error = e.code; }
       console.log(JSON.stringify({ written, error }));`,
    );
    await duringAttack('filling the ledger disk', fill);
    const outcome = JSON.parse(await fill) as { written: number; error: string };
    expect(outcome.error).toBe('ENOSPC');
    expect(outcome.written).toBeLessThan(sandboxDiskBytes / 1024 / 1024);
    await expect.poll(logText, { timeout: 5000 }).toMatch(/Disk quota: the ledger disk is full/);
    // The host pays at most the quota.
    const image = await fs.stat(`${kit.dataDir}/disks/${kit.instance}-attacker-data.img`);
    expect(image.blocks * 512).toBeLessThanOrEqual(sandboxDiskBytes);
    // The file the write failed on is there too, partly written.
    const unfill = `const fs = require('fs'); const names = fs.readdirSync('/var/sandbox').filter((n) => n.startsWith('fill-'));
      for (const n of names) fs.rmSync('/var/sandbox/' + n); console.log(names.length);`;
    expect(Number(await asPeer(unfill))).toBeGreaterThanOrEqual(outcome.written);
    await expectRunRecovers();
    expect(await kit.call(bystander, 'evaluate', 'Get', 'k')).toBe('v');
  });

  it('bounds /tmp at its tmpfs size', async () => {
    const outcome = JSON.parse(await kit.call(attacker, 'evaluate', 'Fill', '/tmp', '200')) as { written: number; error: string };
    expect(outcome.error).toBe('ENOSPC');
    expect(outcome.written).toBeLessThanOrEqual(sandboxTmpfsBytes / 1024 / 1024);
    await expect.poll(logText, { timeout: 5000 }).toContain('Disk quota: /tmp is full');
    await kit.call(attacker, 'evaluate', 'Unfill', '/tmp');
    await expectRunRecovers();
  });
});

describe('network', () => {
  let hostServer: net.Server;
  let hostPort: number;
  let attackerNet: SandboxNetwork;
  let bystanderNet: SandboxNetwork;
  let sink: Sink;

  beforeAll(async () => {
    hostServer = net.createServer((s) => {
      // A probe closes at once; the reset it may cause is expected.
      s.on('error', () => undefined);
      s.end('hello from the host\n');
    });
    await new Promise<void>((resolve) => hostServer.listen(0, '0.0.0.0', resolve));
    hostPort = (hostServer.address() as net.AddressInfo).port;
    attackerNet = await sandboxNetwork(kit, 'attacker');
    bystanderNet = await sandboxNetwork(kit, 'bystander');
    const image = (await kit.docker.getContainer(`${kit.instance}-attacker`).inspect()).Config.Image;
    sink = await startSink(kit, image);
  });
  afterAll(async () => {
    await sink.remove();
    await new Promise((resolve) => hostServer.close(resolve));
  });

  it('is configured to go nowhere but its own network: internal, IPv4 only, one way out to the host bridge, which drops it', async () => {
    expect(attackerNet).toMatchObject({ internal: true, enableIPv6: false });
    const bridge = attackerNet.bridge ?? '';
    expect(bridge.startsWith(bridgePrefix)).toBe(true);
    // Each exact rule must be there (-C exits non-zero without it): ours drops what a sandbox opens
    // towards the host; Docker's, for an internal network, drop what would leave its subnet.
    const rules = [
      ['INPUT', '-i', `${bridgePrefix}+`, '-m', 'conntrack', '--ctstate', 'NEW,INVALID', '-j', 'DROP'],
      ['DOCKER-ISOLATION-STAGE-1', '!', '-s', attackerNet.subnet, '-o', bridge, '-j', 'DROP'],
      ['DOCKER-ISOLATION-STAGE-1', '!', '-d', attackerNet.subnet, '-i', bridge, '-j', 'DROP'],
    ];
    for (const rule of rules) await expect(execFileAsync('iptables', ['-w', '-C', ...rule])).resolves.toBeDefined();

    // Its routes: the subnet, and the default through the bridge address, i.e. into the rules above.
    const [prefix = '', bits = '32'] = attackerNet.subnet.split('/');
    const maskBits = (0xffffffff << (32 - Number(bits))) >>> 0;
    const mask = [24, 16, 8, 0].map((shift) => (maskBits >>> shift) & 0xff).join('.');
    const routes = await sandboxRoutes(kit, attacker);
    expect(new Set(routes.map((r) => JSON.stringify(r)))).toEqual(
      new Set([
        JSON.stringify({ iface: 'eth0', destination: '0.0.0.0', gateway: attackerNet.gateway, mask: '0.0.0.0' }),
        JSON.stringify({ iface: 'eth0', destination: prefix, gateway: '0.0.0.0', mask }),
      ]),
    );
    expect(await sandboxGlobalIPv6(kit, attacker)).toEqual([]);
  });

  it('reaches its own peer and agent, and nothing listening on the host bridge address', async () => {
    expect(await probeFromSandbox(kit, attacker, '127.0.0.1', peerPort)).toBe('connected');
    expect(await probeFromSandbox(kit, attacker, attackerNet.address, agentPort)).toBe('connected');
    // The host's listener answers on the bridge address from the host itself...
    expect(await probeFromHost(attackerNet.gateway, hostPort)).toBe('connected');
    // ...while the INPUT rule drops the sandbox's connection attempt without an answer.
    expect(await probeFromSandbox(kit, attacker, attackerNet.gateway, hostPort)).toBe('timeout');
  });

  it("cannot reach another sandbox's peer, agent or inspector port: dropped on the way", async () => {
    // From the host (the server's place), the bystander answers: its peer and agent listen, its inspector port is closed.
    expect(await probeFromHost(bystanderNet.address, peerPort)).toBe('connected');
    expect(await probeFromHost(bystanderNet.address, agentPort)).toBe('connected');
    expect(await probeFromHost(bystanderNet.address, inspectorPort)).toBe('refused');
    for (const port of [peerPort, agentPort, inspectorPort]) {
      expect(await probeFromSandbox(kit, attacker, bystanderNet.address, port)).toBe('timeout');
    }
  });

  it('cannot reach a container on another network: dropped on the way', async () => {
    expect(await probeFromHost(sink.address, sink.port)).toBe('connected');
    expect(await probeFromSandbox(kit, attacker, sink.address, sink.port)).toBe('timeout');
  });

  it("needs its own sandbox's token for the agent and the inspector proxy", async () => {
    expect(await kit.call(attacker, 'evaluate', 'HttpGet', 'http://127.0.0.1:7000/status')).toBe('401');
    expect(await kit.call(attacker, 'evaluate', 'HttpGet', 'http://127.0.0.1:7000/identity')).toBe('401');
  });
});
