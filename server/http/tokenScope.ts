/**
 * What a token lets its holder do. The server's main token (printed at start)
 * opens everything; a workspace token, handed out by `workspace/open`, opens
 * one workspace and nothing else, until it expires.
 *
 * A workspace token is `w.<workspace>.<generation>.<expiry>.<signature>`: the
 * workspace name (base64url), the workspace's generation (a random id made
 * when the workspace was created, so deleting it and creating it again under
 * the same name revokes its old tokens), the expiry in Unix seconds (base 36)
 * and an HMAC-SHA256 of the three under the main token. Nothing to store:
 * tokens survive a server restart, and changing the main token revokes them all.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode, StudioError } from '../errors.ts';
import { tokenMatches } from './token.ts';

/**
 * The scope a connection was opened with. A workspace scope from a token names the generation the
 * token was issued for; one made in code (a test's caller) has none and is not bound to one.
 */
export type TokenScope = { readonly kind: 'main' } | { readonly kind: 'workspace'; readonly workspace: string; readonly generation?: string };

export const mainScope: TokenScope = Object.freeze({ kind: 'main' });

const workspacePrefix = 'w.';

export interface TokenAuthorityOptions {
  /** The server's main token; must not be empty. */
  readonly mainToken: string;
  /** The current generation of a workspace, or undefined when there is no such workspace. */
  readonly generationOf: (workspace: string) => Promise<string | undefined>;
  /** How long a workspace token works after it is issued. */
  readonly workspaceTokenTtlMs: number;
  /** Wall clock in milliseconds; tests pass a fake one. */
  readonly nowMs?: () => number;
}

export interface TokenAuthority {
  /** The scope `token` grants, or undefined when it grants nothing. Constant time in the secret. */
  verify(token: string | null | undefined): Promise<TokenScope | undefined>;
  /** A token that opens only `workspace`, for workspaceTokenTtlMs. `not_found` when there is no such workspace. */
  workspaceToken(workspace: string): Promise<string>;
  /**
   * False once the workspace of a workspace scope has been deleted (and maybe created again), so a
   * connection opened before stops reaching it. Expiry is checked when a connection opens, not here.
   */
  isCurrent(scope: TokenScope): Promise<boolean>;
}

export function createTokenAuthority(options: TokenAuthorityOptions): TokenAuthority {
  const { mainToken, generationOf, workspaceTokenTtlMs } = options;
  if (mainToken.length === 0) throw new Error('createTokenAuthority: the main token must not be empty');
  if (!Number.isFinite(workspaceTokenTtlMs) || workspaceTokenTtlMs <= 0) {
    throw new Error('The workspace token lifetime must be a positive number: check STUDIO_WORKSPACE_TOKEN_TTL_HOURS.');
  }
  const nowMs = options.nowMs ?? Date.now;
  const mac = (workspace: string, generation: string, expiry: string) =>
    createHmac('sha256', mainToken).update(`workspace:${workspace}:${generation}:${expiry}`, 'utf8').digest();

  return {
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0) return undefined;
      if (!token.startsWith(workspacePrefix)) return tokenMatches(mainToken, token) ? mainScope : undefined;
      const [encoded = '', generation = '', expiry = '', signature = '', extra] = token.slice(workspacePrefix.length).split('.');
      if (extra !== undefined) return undefined;
      const workspace = Buffer.from(encoded, 'base64url').toString('utf8');
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(workspace, generation, expiry);
      if (workspace.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      // Only a signed token gets this far, so neither check below can be probed with forged ones.
      if (parseInt(expiry, 36) * 1000 <= nowMs()) return undefined;
      if (generation !== (await generationOf(workspace))) return undefined;
      return { kind: 'workspace', workspace, generation };
    },

    async workspaceToken(workspace) {
      const generation = await generationOf(workspace);
      if (generation === undefined) {
        throw new StudioError(ErrorCode.NotFound, `There is no workspace "${workspace}": create it first or pick one from the list.`);
      }
      const expiry = Math.ceil((nowMs() + workspaceTokenTtlMs) / 1000).toString(36);
      const encoded = Buffer.from(workspace, 'utf8').toString('base64url');
      return `${workspacePrefix}${encoded}.${generation}.${expiry}.${mac(workspace, generation, expiry).toString('base64url')}`;
    },

    async isCurrent(scope) {
      if (scope.kind === 'main' || scope.generation === undefined) return true;
      return scope.generation === (await generationOf(scope.workspace));
    },
  };
}

/** Who owns what a connection starts, for per-user limits: the token's scope as a string. */
export function scopeKey(scope: TokenScope): string {
  return scope.kind === 'main' ? 'main' : `workspace:${scope.workspace}`;
}
