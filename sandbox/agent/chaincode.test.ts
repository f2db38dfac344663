import { describe, expect, it } from 'vitest';
import { chaincodeArgs, chaincodeEnv, describeExit, errorFromStderr } from './chaincode.mjs';
import { chaincodeErrorMaxChars, chaincodeHeapLimitMb } from './constants.mjs';
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
    // Nothing to stop at yet: the process runs at once and the debugger attaches meanwhile.
    expect(chaincodeArgs({ packageId: 'p', debug: true, waitForDebugger: false })[1]).toBe('--inspect=127.0.0.1:9229');
  });

  it('says why it ended, naming the limit it hit', () => {
    expect(describeExit({ ...exit, endedBecause: 'stopped: the peer restarted' })).toBe('stopped: the peer restarted');
    expect(describeExit({ ...exit, heapExhausted: true, signal: 'SIGABRT' })).toBe(`stopped: chaincode JavaScript heap limit (${chaincodeHeapLimitMb} MB)`);
    expect(describeExit({ ...exit, signal: 'SIGKILL', cgroup: cgroup(1) })).toBe('killed: sandbox memory limit (768 MB)');
    expect(describeExit({ ...exit, signal: 'SIGKILL' })).toBe('was killed by SIGKILL');
    expect(describeExit({ ...exit, code: 3 })).toBe('exited with code 3');
  });
});

describe('the chaincode environment', () => {
  it('is what a Fabric 2.5 peer gives a chaincode it launches, without TLS, and nothing of the agent', () => {
    process.env.STUDIO_AGENT_TOKEN = 'a-secret-that-must-not-leak';
    const env = chaincodeEnv({ packageId: 'basic_studio:abc' });
    expect(env).toMatchObject({
      CORE_CHAINCODE_ID_NAME: 'basic_studio:abc',
      CORE_PEER_LOCALMSPID: 'Org1MSP',
      CORE_PEER_TLS_ENABLED: 'false',
      CORE_CHAINCODE_LOGGING_LEVEL: 'info',
      CORE_CHAINCODE_LOGGING_SHIM: 'warning',
    });
    expect(env.CORE_CHAINCODE_LOGGING_FORMAT).toContain('%{message}');
    expect(Object.keys(env).filter((k) => !/^(CORE_|NODE_|PATH$|HOME$)/.test(k))).toEqual([]);
    expect(JSON.stringify(env)).not.toContain('a-secret-that-must-not-leak');
    delete process.env.STUDIO_AGENT_TOKEN;
  });
});

describe("the chaincode's own error text", () => {
  const inspector = ['Debugger listening on ws://127.0.0.1:9229/x', 'For help, see: https://nodejs.org/en/docs/inspector', 'Debugger attached.'];

  it('is the error fabric-shim printed when the chaincode did not load, without its stack', () => {
    const lines = [
      ...inspector,
      'Major failure to start fabic-chaincode-node',
      "Error: Cannot find module 'json-stringify-deterministic'",
      'Require stack:',
      '- /chaincode/app/lib/contract.js',
      '    at Module._resolveFilename (node:internal/modules/cjs/loader:1140:15)',
      '  [cause]: Error: inner',
      '}',
      'Waiting for the debugger to disconnect...',
    ];
    expect(errorFromStderr(lines)).toBe("Error: Cannot find module 'json-stringify-deterministic'");
    expect(errorFromStderr(['Major failure to start fabic-chaincode-node', 'SyntaxError: Unexpected identifier', '    at x'])).toBe('SyntaxError: Unexpected identifier');
  });

  it('falls back to the last line that is no stack frame, and is absent when there is none', () => {
    expect(errorFromStderr(['Major failure to start fabic-chaincode-node', 'the ledger is on fire', '    at y'])).toBe('the ledger is on fire');
    expect(errorFromStderr([...inspector, 'Waiting for the debugger to disconnect...', ''])).toBeUndefined();
    expect(errorFromStderr([`Error: ${'x'.repeat(chaincodeErrorMaxChars * 2)}`])).toHaveLength(chaincodeErrorMaxChars);
  });
});

describe('supervised processes', () => {
  it('restart after a doubling back-off, capped', () => {
    expect([1, 2, 3, 6, 20].map(restartDelayMs)).toEqual([500, 1000, 2000, 10_000, 10_000]);
  });
});
