/**
 * What a token lets its holder do. The server's main token (printed at start)
 * opens everything; a workspace token, handed out by `workspace/open`, opens
 * one workspace and nothing else. Workspace tokens are an HMAC of the
 * workspace name under the main token: nothing to store, they survive a
 * server restart, and changing the main token revokes them all.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { tokenMatches } from './token.ts';

/** The scope a connection was opened with. */
export type TokenScope = { readonly kind: 'main' } | { readonly kind: 'workspace'; readonly workspace: string };

export const mainScope: TokenScope = Object.freeze({ kind: 'main' });

const workspacePrefix = 'w.';

export interface TokenAuthority {
  /** The scope `token` grants, or undefined when it grants nothing. Constant time in the secret. */
  verify(token: string | null | undefined): TokenScope | undefined;
  /** A token that opens only `workspace`. */
  workspaceToken(workspace: string): string;
}

export function createTokenAuthority(mainToken: string): TokenAuthority {
  if (mainToken.length === 0) throw new Error('createTokenAuthority: the main token must not be empty');
  const mac = (workspace: string) => createHmac('sha256', mainToken).update(`workspace:${workspace}`, 'utf8').digest();

  return {
    verify(token) {
      if (typeof token !== 'string' || token.length === 0) return undefined;
      if (token.startsWith(workspacePrefix)) {
        const [encoded = '', signature = '', extra] = token.slice(workspacePrefix.length).split('.');
        if (extra !== undefined) return undefined;
        const workspace = Buffer.from(encoded, 'base64url').toString('utf8');
        const given = Buffer.from(signature, 'base64url');
        const expected = mac(workspace);
        if (workspace.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
        return { kind: 'workspace', workspace };
      }
      return tokenMatches(mainToken, token) ? mainScope : undefined;
    },

    workspaceToken(workspace) {
      return `${workspacePrefix}${Buffer.from(workspace, 'utf8').toString('base64url')}.${mac(workspace).toString('base64url')}`;
    },
  };
}

/** Who owns what a connection starts, for per-user limits: the token's scope as a string. */
export function scopeKey(scope: TokenScope): string {
  return scope.kind === 'main' ? 'main' : `workspace:${scope.workspace}`;
}
