import { describe, expect, it } from 'vitest';
import { limitText, maxWorkspaceBytes } from './workspaceLimits.ts';

describe('limitText', () => {
  it('gives megabytes as people read them and the exact byte count', () => {
    expect(limitText(maxWorkspaceBytes)).toBe(`20 MB (${maxWorkspaceBytes} bytes)`);
    expect(limitText(1536 * 1024)).toBe('1.5 MB (1572864 bytes)');
  });
});
