import { describe, expect, it } from 'vitest';
import { chaincodeUid, sandboxUid } from '../../server/config.ts';
import { chaincodeUid as agentChaincodeUid, sandboxUid as agentSandboxUid } from './constants.mjs';
import { agentCommand, asChaincodeUser, withoutCapabilities } from './privileges.mjs';

describe('who runs what in the sandbox', () => {
  it('uses the uids the server gives the image', () => {
    expect(agentSandboxUid).toBe(sandboxUid);
    expect(agentChaincodeUid).toBe(chaincodeUid);
    expect(chaincodeUid).not.toBe(sandboxUid);
  });

  it('starts the agent as the sandbox uid, keeping only SETUID, SETGID and KILL across exec', () => {
    const { command, args } = agentCommand('/usr/local/bin/node', '/opt/studio/agent/main.mjs');
    expect(command).toBe('/usr/bin/setpriv');
    const uid = String(sandboxUid);
    expect(args).toEqual(['--reuid', uid, '--regid', uid, '--clear-groups', '--inh-caps', '+setuid,+setgid,+kill', '--ambient-caps', '+setuid,+setgid,+kill', '--', '/usr/local/bin/node', '/opt/studio/agent/main.mjs']);
  });

  it('runs Fabric with no capabilities at all', () => {
    expect(withoutCapabilities('/opt/fabric/bin/peer', ['node', 'start'])).toEqual({ command: '/usr/bin/setpriv', args: ['--inh-caps=-all', '--', '/opt/fabric/bin/peer', 'node', 'start'] });
  });

  it('runs the chaincode as its own uid, with no capabilities, first in line for the OOM killer', () => {
    const { command, args } = asChaincodeUser('/usr/local/bin/node', ['cli.js', 'start']);
    const uid = String(chaincodeUid);
    expect(command).toBe('/usr/bin/setpriv');
    expect(args).toEqual(['--reuid', uid, '--regid', uid, '--clear-groups', '--inh-caps=-all', '--', '/usr/bin/choom', '-n', '1000', '--', '/usr/local/bin/node', 'cli.js', 'start']);
  });
});
