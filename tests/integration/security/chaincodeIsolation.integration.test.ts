/**
 * The user's chaincode inside a real sandbox cannot reach the agent's token
 * or disturb the Fabric network: it runs under a uid of its own, so it cannot
 * read the agent's (or tini's, or the launcher's) environment, finds the token
 * in no file or descriptor it can read, cannot signal the peer, the orderer or
 * the agent, and cannot touch the ledger disk or the org's keys.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaincodeUid, sandboxUid } from '../../../server/config.ts';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { createTestSandboxes, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

const intruderDir = path.join(import.meta.dirname, '..', '..', 'fixtures', 'intruder-chaincode');
const adminKeystore = '/var/sandbox/crypto/peerOrganizations/org1.example.com/users/Admin@org1.example.com/msp/keystore';

interface ProcessInfo {
  pid: number;
  uid: number;
  cmd: string;
}

let kit: TestSandboxes;
let intruder: WorkspaceSession;
let token: string;
let processes: ProcessInfo[];

const call = (fn: string, ...args: string[]) => kit.call(intruder, 'evaluate', fn, ...args);
const pidOf = (pattern: RegExp): number => {
  const found = processes.find((p) => pattern.test(p.cmd));
  if (!found) throw new Error(`no process matches ${pattern} in ${JSON.stringify(processes)}`);
  return found.pid;
};
const peerRestarts = async () => {
  const handle = await kit.sandboxes.find('intruder');
  return (await handle?.agent.status())?.peer;
};

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-iso');
  intruder = await kit.workspace('intruder', intruderDir);
  expect((await intruder.run()).ok).toBe(true);
  const info = await kit.docker.getContainer(`${kit.instance}-intruder`).inspect();
  token = info.Config.Env.find((e) => e.startsWith('STUDIO_AGENT_TOKEN='))?.slice('STUDIO_AGENT_TOKEN='.length) ?? '';
  expect(token.length).toBeGreaterThanOrEqual(16);
  processes = JSON.parse(await call('Processes')) as ProcessInfo[];
});

afterAll(async () => {
  await kit.cleanup();
  expect(await kit.containers()).toEqual([]);
});

describe('the chaincode process', () => {
  it('runs under its own uid, apart from the agent, the orderer and the peer', async () => {
    const me = JSON.parse(await call('Whoami')) as { uid: number; gid: number; groups: number[] };
    expect(me).toMatchObject({ uid: chaincodeUid, gid: chaincodeUid, groups: [chaincodeUid] });
    for (const pattern of [/agent\/main\.mjs/, /^\/opt\/fabric\/bin\/peer node start/, /^\/opt\/fabric\/bin\/orderer/]) {
      expect(processes.find((p) => pattern.test(p.cmd))?.uid).toBe(sandboxUid);
    }
  });

  it("cannot read the environment of tini, the launcher, the agent, the peer or the orderer", async () => {
    const pids = [1, pidOf(/agent\/launch\.mjs/), pidOf(/agent\/main\.mjs/), pidOf(/bin\/peer node start/), pidOf(/bin\/orderer/)];
    const outcome = JSON.parse(await call('ReadProc', 'environ', JSON.stringify(pids))) as Record<string, string>;
    expect(outcome).toEqual(Object.fromEntries(pids.map((pid) => [String(pid), 'EACCES'])));
  });

  it('finds the token in no environment, descriptor or file it can read', async () => {
    const found = JSON.parse(await call('Search', token, JSON.stringify(['/tmp', '/var/sandbox', '/chaincode', '/opt/studio', '/etc']))) as string[];
    expect(found).toEqual([]);
  });

  it('cannot signal the peer, the orderer, the agent or tini, and the peer keeps running', async () => {
    const before = await peerRestarts();
    expect(before?.running).toBe(true);
    const peer = pidOf(/bin\/peer node start/);
    expect(await call('Kill', String(peer), 'SIGKILL')).toBe('EPERM');
    expect(await call('Kill', String(pidOf(/bin\/orderer/)), 'SIGKILL')).toBe('EPERM');
    expect(await call('Kill', String(pidOf(/agent\/main\.mjs/)), 'SIGTERM')).toBe('EPERM');
    expect(await call('Kill', '1', 'SIGTERM')).toBe('EPERM');
    // The same peer process, never restarted, still endorses.
    const after = JSON.parse(await call('Processes')) as ProcessInfo[];
    expect(after.some((p) => p.pid === peer && /bin\/peer node start/.test(p.cmd))).toBe(true);
    expect(await peerRestarts()).toEqual(before);
    expect(await kit.call(intruder, 'submit', 'Put', 'alive', 'yes')).toBe('yes');
  });

  it("cannot write the ledger disk or read the org admin's private key", async () => {
    expect(await call('Write', '/var/sandbox/intruder')).toBe('EACCES');
    expect(await call('ReadFile', `${adminKeystore}/priv_sk`)).toBe('EACCES');
  });
});
