/**
 * The opening every token-guarded HTTP route shares (downloads, workspace
 * zips, imports): the `token` query parameter must grant a scope, and the
 * path must name a URL-decodable id after the route's prefix. Each route then
 * checks the id's shape and what the scope may do with it.
 */
import type { ServerResponse } from 'node:http';
import { sendText } from './plainResponse.ts';
import { tokenMatches } from './token.ts';
import { mainScope, type TokenAuthority, type TokenScope } from './tokenScope.ts';

/** The tokens a route accepts: the main token, and the workspace tokens `authority` grants. */
export interface RouteAccess {
  readonly token: string;
  readonly authority?: TokenAuthority | undefined;
}

/** What `given` may reach: the scope of a valid token, or undefined for none. */
export async function scopeOf(access: RouteAccess, given: string | null): Promise<TokenScope | undefined> {
  if (access.authority) return access.authority.verify(given);
  return tokenMatches(access.token, given) ? mainScope : undefined;
}

/** A request past the opening: who sent it and the id it names. */
export interface GuardedRequest {
  readonly scope: TokenScope;
  readonly id: string;
}

/** The words a route refuses with: no valid token (403), an id that does not decode (404). */
export interface GuardRefusals {
  readonly noToken: string;
  readonly badId: string;
}

/** Sends a refusal; plain text by default, a route that answers JSON passes its own. */
export type Refuse = (res: ServerResponse, status: number, message: string) => void;

/**
 * Checks the token, then decodes the id after `prefix` in `rawPath`. On
 * failure it answers through `refuse` and returns undefined; the token is
 * checked first, so nothing about ids is learnt without one.
 */
export async function openGuardedRoute(
  res: ServerResponse,
  request: { readonly rawPath: string; readonly prefix: string; readonly query: URLSearchParams },
  access: RouteAccess,
  refusals: GuardRefusals,
  refuse: Refuse = sendText,
): Promise<GuardedRequest | undefined> {
  const scope = await scopeOf(access, request.query.get('token'));
  if (scope === undefined) {
    refuse(res, 403, refusals.noToken);
    return undefined;
  }
  try {
    return { scope, id: decodeURIComponent(request.rawPath.slice(request.prefix.length)) };
  } catch {
    refuse(res, 404, refusals.badId);
    return undefined;
  }
}
