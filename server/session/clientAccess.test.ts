import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.ts';
import type { AgentClient } from '../sandbox/agentClient.ts';
import type { SandboxHandle } from '../sandbox/sandboxDriver.ts';
import { advertisedHost, createClientAccess, parseCertificate } from './clientAccess.ts';
import type { SandboxLink } from './sandboxLink.ts';

/** A link attached to `handle` (or to nothing); only `handle` is read. */
const linkTo = (handle: SandboxHandle | undefined) => ({ handle }) as unknown as SandboxLink;

const productionHandle: SandboxHandle = {
  workspace: 'w',
  mode: 'production',
  containerName: 'ccs-w',
  host: '127.0.0.1',
  buildDir: '/nonexistent',
  agent: {} as AgentClient,
};

describe('client access', () => {
  it('asks for Run while no sandbox is attached, and opens no port', async () => {
    const access = createClientAccess({ workspace: 'w', link: linkTo(undefined), chaincodeName: async () => 'basic', listenHost: '127.0.0.1' });
    await expect(access.connection()).rejects.toMatchObject({ code: ErrorCode.SandboxNotReady, message: expect.stringMatching(/press Run/) });
    await expect(access.file('client-key.pem')).rejects.toMatchObject({ code: ErrorCode.SandboxNotReady });
    expect(access.forwarder).toBeUndefined();
    expect(access.lastUseMs).toBe(0);
    await access.close();
  });

  it("never forwards to a production-mode sandbox (TLS, deployed chaincode: not the IDE's)", async () => {
    const access = createClientAccess({ workspace: 'w', link: linkTo(productionHandle), chaincodeName: async () => 'basic', listenHost: '127.0.0.1' });
    await expect(access.connection()).rejects.toMatchObject({ code: ErrorCode.SandboxNotReady, message: expect.stringMatching(/production mode/) });
    expect(access.forwarder).toBeUndefined();
  });

  it('names a wildcard listener by the machine, any other by its address', () => {
    expect(advertisedHost('127.0.0.1')).toBe('127.0.0.1');
    expect(advertisedHost('::1')).toBe('::1');
    expect(advertisedHost('0.0.0.0')).toBe(os.hostname());
    expect(advertisedHost('::')).toBe(os.hostname());
  });

  it('says what to do with a certificate it cannot read', () => {
    expect(() => parseCertificate('not a certificate')).toThrow(/destroy the sandbox and press Run/);
  });
});
