/**
 * The one place where a token's scope is enforced: a connection opened with a
 * workspace token may only name its own workspace. Checked by the dispatcher
 * after validation, before any handler runs.
 */
import type { Method } from '../../protocol/messages.ts';
import type { TokenScope } from '../http/tokenScope.ts';

/** Methods a workspace token may call although they name no workspace (nothing in them is private). */
const openToWorkspaceTokens: ReadonlySet<Method> = new Set<Method>(['sample/list']);

/** Why `scope` may not call `method` with `params`, or undefined when it may. */
export function scopeRefusal(method: Method, params: unknown, scope: TokenScope): string | undefined {
  if (scope.kind === 'main') return undefined;
  const workspace = typeof params === 'object' && params !== null ? (params as { workspace?: unknown }).workspace : undefined;
  if (typeof workspace === 'string') {
    if (workspace === scope.workspace) return undefined;
    return `This link opens only the workspace "${scope.workspace}", not "${workspace}". Use that workspace's own link or the server's main token.`;
  }
  if (openToWorkspaceTokens.has(method)) return undefined;
  return `This link opens only the workspace "${scope.workspace}"; ${method} needs the server's main token.`;
}
