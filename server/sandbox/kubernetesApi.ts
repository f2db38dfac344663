/**
 * Calls to the Kubernetes API with their failures as StudioErrors a user can
 * act on (a refusal names the Role to grant; a missing object can be asked
 * for as undefined). Shared by the driver and its spares.
 */
import { ErrorCode, StudioError } from '../errors.ts';

interface ApiError {
  code?: number;
  body?: unknown;
  message?: string;
}

export const statusOf = (err: unknown) => (err as ApiError | undefined)?.code;

/** Translates a Kubernetes API failure during `action` into a StudioError a user can act on. */
export function kubernetesError(err: unknown, action: string): StudioError {
  if (err instanceof StudioError) return err;
  const e = (err ?? {}) as ApiError & { cause?: { code?: string } };
  let detail = e.message ?? String(err);
  if (typeof e.body === 'string') {
    try {
      detail = (JSON.parse(e.body) as { message?: string }).message ?? detail;
    } catch {
      // Not JSON: keep the message.
    }
  }
  if (e.code === 403) return new StudioError(ErrorCode.Sandbox, `Kubernetes refused to ${action}: ${detail}. Give the server's service account the Role in deploy/kubernetes.`, { cause: err });
  return new StudioError(ErrorCode.Sandbox, `Kubernetes could not ${action}: ${detail}`, { cause: err });
}

export async function api<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw kubernetesError(err, action);
  }
}

export async function orUndefined<T>(action: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw kubernetesError(err, action);
  }
}
