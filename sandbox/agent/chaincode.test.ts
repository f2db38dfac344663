import { describe, expect, it } from 'vitest';
import { chaincodeArgs, describeExit } from './chaincode.mjs';
import { chaincodeHeapLimitMb } from './constants.mjs';
import type { CgroupReading } from './limits.mjs';
import { restartDelayMs } from './supervisor.mjs';

const cgroup = (oomKills: number): CgroupReading => ({ memoryBytes: 768 * 1024 * 1024, pidsMax: 512, cpuCores: 1, oomKills, pidsRefused: 0 });
const exit = { endedBecause: null, heapExhausted: false, code: null, signal: null, oomKillsBefore: 0, cgroup: cgroup(0) };

describe('the chaincode process', () => {
  it('starts under the inspector on loopback only when debugging, with the heap cap', () => {
    const debug = chaincodeArgs({ packageId: 'basic_studio:abc', debug: true });
    expect(debug[0]).toBe(`--max-old-space-size=${chaincodeHeapLimitMb}`);
    expect(debug[1]).toBe('--inspect-brk=127.0.0.1:9229');
    expect(debug.slice(-5)).toEqual(['start', '--peer.address', '127.0.0.1:7052', '--chaincode-id-name', 'basic_studio:abc']);
    expect(chaincodeArgs({ packageId: 'p', debug: false }).some((a) => a.startsWith('--inspect'))).toBe(false);
  });

  it('says why it ended, naming the limit it hit', () => {
    expect(describeExit({ ...exit, endedBecause: 'stopped: the peer restarted' })).toBe('stopped: the peer restarted');
    expect(describeExit({ ...exit, heapExhausted: true, signal: 'SIGABRT' })).toBe(`stopped: chaincode JavaScript heap limit (${chaincodeHeapLimitMb} MB)`);
    expect(describeExit({ ...exit, signal: 'SIGKILL', cgroup: cgroup(1) })).toBe('killed: sandbox memory limit (768 MB)');
    expect(describeExit({ ...exit, signal: 'SIGKILL' })).toBe('was killed by SIGKILL');
    expect(describeExit({ ...exit, code: 3 })).toBe('exited with code 3');
  });
});

describe('supervised processes', () => {
  it('restart after a doubling back-off, capped', () => {
    expect([1, 2, 3, 6, 20].map(restartDelayMs)).toEqual([500, 1000, 2000, 10_000, 10_000]);
  });
});
