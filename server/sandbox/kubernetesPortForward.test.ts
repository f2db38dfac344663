import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { agentPort } from '../config.ts';
import { forwardPod, loopbackAddressFor } from './kubernetesPortForward.ts';

describe('the loopback address of a forwarded sandbox pod', () => {
  it('is a 127/8 address outside 127.0.0.x, the same for the same pod', () => {
    const address = loopbackAddressFor('ccs-0123456789abcdef');
    expect(address).toMatch(/^127\.(\d+)\.(\d+)\.(\d+)$/);
    const [, second, , fourth] = address.split('.').map(Number);
    expect(second).toBeGreaterThan(0);
    expect(fourth).toBeGreaterThan(0);
    expect(fourth).toBeLessThan(255);
    expect(loopbackAddressFor('ccs-0123456789abcdef')).toBe(address);
    expect(loopbackAddressFor('ccs-fedcba9876543210')).not.toBe(address);
  });
});

describe('the listeners of a port-forward', () => {
  it('take a free port for a sandbox port this machine already listens on, and name it', async () => {
    const pod = `ccs-test-${process.pid}`;
    const host = loopbackAddressFor(pod);
    // Something of this machine's already on the agent's port of that address.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(agentPort, host, resolve));
    try {
      const forward = await forwardPod(new KubeConfig(), 'default', pod);
      try {
        expect(forward.host).toBe(host);
        const moved = forward.ports?.[agentPort];
        expect(moved).toBeGreaterThan(0);
        expect(moved).not.toBe(agentPort);
        // Only ports that were taken are listed (another may be taken on this machine too: a peer of its own on *:7051).
        expect(Object.keys(forward.ports ?? {})).toContain(String(agentPort));
        expect(Object.keys(forward.ports ?? {}).length).toBeLessThan(4);
        // The moved port listens.
        await new Promise<void>((resolve, reject) => {
          const socket = net.connect({ host, port: moved ?? 0 }, () => {
            socket.destroy();
            resolve();
          });
          socket.on('error', reject);
        });
      } finally {
        await forward.close();
      }
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
