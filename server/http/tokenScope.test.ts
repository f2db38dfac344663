import { describe, expect, it } from 'vitest';
import { createTokenAuthority, mainScope } from './tokenScope.ts';

const mainToken = 'main-token-0123456789abcdef';
const ttlMs = 24 * 60 * 60_000;

function authority() {
  const generations = new Map<string, string>([['alpha', 'a'.repeat(32)], ['beta', 'b'.repeat(32)]]);
  const clock = { ms: Date.UTC(2026, 0, 1) };
  const tokens = createTokenAuthority({ mainToken, generationOf: async (w) => generations.get(w), workspaceTokenTtlMs: ttlMs, nowMs: () => clock.ms });
  return { tokens, generations, clock };
}

describe('token authority', () => {
  it('grants everything to the main token and nothing to a wrong or empty one', async () => {
    const { tokens } = authority();
    expect(await tokens.verify(mainToken)).toEqual(mainScope);
    expect(await tokens.verify(`${mainToken}x`)).toBeUndefined();
    expect(await tokens.verify('')).toBeUndefined();
    expect(await tokens.verify(undefined)).toBeUndefined();
  });

  it('grants one workspace to its token until it expires', async () => {
    const { tokens, clock } = authority();
    const token = await tokens.workspaceToken('alpha');
    expect(token).toMatch(/^w\.[A-Za-z0-9_-]+\.[0-9a-f]{32}\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(await tokens.verify(token)).toEqual({ kind: 'workspace', workspace: 'alpha', generation: 'a'.repeat(32) });
    clock.ms += ttlMs - 1000;
    expect(await tokens.verify(token)).toBeDefined();
    clock.ms += 2000;
    expect(await tokens.verify(token)).toBeUndefined();
  });

  it('refuses a token whose workspace was deleted or created again, and says an open scope is stale', async () => {
    const { tokens, generations } = authority();
    const token = await tokens.workspaceToken('alpha');
    const scope = await tokens.verify(token);
    if (scope === undefined) throw new Error('the fresh token was refused');
    generations.delete('alpha');
    expect(await tokens.verify(token)).toBeUndefined();
    expect(await tokens.isCurrent(scope)).toBe(false);
    generations.set('alpha', 'c'.repeat(32));
    expect(await tokens.verify(token)).toBeUndefined();
    expect(await tokens.isCurrent(scope)).toBe(false);
    expect(await tokens.isCurrent(mainScope)).toBe(true);
    await expect(tokens.workspaceToken('gone')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a token with any field changed, or signed under another main token', async () => {
    const { tokens } = authority();
    const token = await tokens.workspaceToken('alpha');
    const [prefix, workspace, generation = '', expiry = '', signature = ''] = token.split('.');
    const forgeries = [
      [prefix, Buffer.from('beta').toString('base64url'), 'b'.repeat(32), expiry, signature],
      [prefix, workspace, generation, (parseInt(expiry, 36) + 3600).toString(36), signature],
      [prefix, workspace, 'd'.repeat(32), expiry, signature],
      [prefix, workspace, generation, expiry, `${signature.slice(0, -2)}AA`],
      [prefix, workspace, generation, expiry, signature, 'extra'],
      [prefix, workspace, signature],
    ].map((parts) => parts.join('.'));
    for (const forged of forgeries) expect(await tokens.verify(forged), forged).toBeUndefined();
    const other = createTokenAuthority({ mainToken: 'another-main-token-0123456789', generationOf: async () => 'a'.repeat(32), workspaceTokenTtlMs: ttlMs });
    expect(await tokens.verify(await other.workspaceToken('alpha'))).toBeUndefined();
  });

  it('refuses to start with a lifetime that is not a positive number', () => {
    for (const workspaceTokenTtlMs of [Number.NaN, 0, -1, Number.POSITIVE_INFINITY]) {
      expect(() => createTokenAuthority({ mainToken, generationOf: async () => undefined, workspaceTokenTtlMs })).toThrow(/STUDIO_WORKSPACE_TOKEN_TTL_HOURS/);
    }
  });
});
