/**
 * Faults inside and around a running sandbox: the peer, the orderer, the
 * chaincode process and the whole container die. After each, the status
 * says what happened, recovery is automatic or one Run, ledger data
 * survives, and no container is left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { createTestSandboxes, probeChaincodeDir, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

let kit: TestSandboxes;
let s: WorkspaceSession;

/** Runs a shell script in the sandbox container, as the sandbox's user. */
async function execIn(script: string): Promise<void> {
  const exec = await kit.docker.getContainer(`${kit.instance}-victim`).exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise((resolve) => {
    stream.on('end', resolve);
    stream.resume();
  });
}

/** Kills -9 every process of the container whose command line contains `needle`. */
const killProcess = (needle: string) =>
  execIn(`for p in /proc/[0-9]*; do [ "\${p#/proc/}" = "$$" ] && continue; tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q -- '${needle}' && kill -9 \${p#/proc/}; done; true`);

/** Submits Put until it works (or the deadline passes); returns how long that took. */
async function untilTransactionsWork(key: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      if (s.status.chaincode !== 'running' && s.status.phase === 'ready') await s.run();
      if ((await kit.call(s, 'submit', 'Put', key, 'v')) === 'v') return Date.now() - started;
    } catch (err) {
      if (Date.now() - started > timeoutMs) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-fault');
  s = await kit.workspace('victim', probeChaincodeDir);
  expect((await s.run()).ok).toBe(true);
  expect(await kit.call(s, 'submit', 'Put', 'kept', 'before the faults')).toBe('before the faults');
});

afterAll(async () => {
  await kit.cleanup();
  expect(await kit.containers()).toEqual([]);
});

describe('processes inside the sandbox', () => {
  it('reports a killed peer while it restarts, and transactions work again', async () => {
    const seen: string[] = [];
    const watch = setInterval(() => seen.push(`${s.status.phase}: ${s.status.message ?? ''}`), 20);
    try {
      await killProcess('peer node start');
      await expect.poll(() => seen.some((m) => /^starting: The peer stopped and is being restarted by the sandbox/.test(m)), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => s.status.phase, { timeout: 30_000 }).toBe('ready');
    } finally {
      clearInterval(watch);
    }
    // A dev-mode chaincode cannot register again by itself: the sandbox ends it and says why; one Run recovers.
    await expect.poll(() => s.status.chaincode, { timeout: 10_000 }).toBe('crashed');
    await expect.poll(() => s.status.message, { timeout: 10_000 }).toMatch(/The peer and the orderer are running again\. The chaincode process stopped: the peer restarted, and a dev-mode chaincode must register with it again: press Run/);
    const ms = await untilTransactionsWork('after-peer');
    console.log(`[faults] peer killed: transactions work again ${ms} ms after the peer was back (one Run)`);
    expect(await kit.call(s, 'evaluate', 'Get', 'kept')).toBe('before the faults');
  });

  it('reports a killed orderer while it restarts, and submits commit again', async () => {
    await killProcess('/opt/fabric/bin/orderer');
    await expect.poll(() => `${s.status.phase}: ${s.status.message ?? ''}`, { timeout: 10_000 }).toMatch(/^starting: The orderer stopped and is being restarted/);
    await expect.poll(() => s.status.phase, { timeout: 30_000 }).toBe('ready');
    const ms = await untilTransactionsWork('after-orderer');
    console.log(`[faults] orderer killed: submits commit again after ${ms} ms`);
  });

  it('reports a killed chaincode process as crashed, and Run recovers', async () => {
    await killProcess('fabric-shim/cli.js');
    await expect.poll(() => s.status.chaincode, { timeout: 10_000 }).toBe('crashed');
    expect(s.status.message).toMatch(/The chaincode process was killed by SIGKILL/);
    await expect.poll(() => s.logHistory.some((l) => l.text.includes('was killed by SIGKILL')), { timeout: 5000 }).toBe(true);
    expect((await s.run()).ok).toBe(true);
    expect(await kit.call(s, 'evaluate', 'Get', 'kept')).toBe('before the faults');
  });
});

describe('the container', () => {
  it('notices a killed container, reports it stopped, and one Run brings it back with its ledger', async () => {
    await kit.docker.getContainer(`${kit.instance}-victim`).kill();
    await expect.poll(() => s.status.phase, { timeout: 15_000 }).toBe('stopped');
    expect(s.status.chaincode).toBe('stopped');
    expect(s.logHistory.some((l) => l.text.includes('Lost contact with the sandbox') && l.text.includes('Press Run'))).toBe(true);
    const started = Date.now();
    expect((await s.run()).ok).toBe(true);
    console.log(`[faults] container killed: one Run brought it back in ${Date.now() - started} ms`);
    expect(await kit.call(s, 'evaluate', 'Get', 'kept')).toBe('before the faults');
    expect(await kit.containers()).toEqual([`${kit.instance}-victim`]);
  });
});
