import { describe, expect, it } from 'vitest';
import { loopbackAddressFor } from './kubernetesPortForward.ts';

describe('the loopback address of a forwarded sandbox pod', () => {
  it('is a 127/8 address outside 127.0.0.x, the same for the same pod, another on a retry', () => {
    const address = loopbackAddressFor('ccs-0123456789abcdef');
    expect(address).toMatch(/^127\.(\d+)\.(\d+)\.(\d+)$/);
    const [, second, , fourth] = address.split('.').map(Number);
    expect(second).toBeGreaterThan(0);
    expect(fourth).toBeGreaterThan(0);
    expect(fourth).toBeLessThan(255);
    expect(loopbackAddressFor('ccs-0123456789abcdef')).toBe(address);
    expect(loopbackAddressFor('ccs-0123456789abcdef', 1)).not.toBe(address);
  });
});
