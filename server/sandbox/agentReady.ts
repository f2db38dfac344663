/**
 * Waiting for a new sandbox's agent to say its network is up, the same on
 * every driver: its status polled until `ready`, each new status message
 * passed on as progress, and the sandbox itself checked on every round, so one
 * that ended is named at once rather than at the deadline.
 */
import { sandboxReadyPollMs, sandboxReadyTimeoutMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { AgentStatus } from './agentClient.ts';
import type { SandboxHandle, SandboxProgressFn } from './sandboxDriver.ts';

export interface AgentReadyOptions {
  /** Why the sandbox is no longer running (its container or pod ended), or undefined while it runs. */
  whyStopped(): Promise<string | undefined>;
  /** Between polls; default `sandboxReadyPollMs`. */
  pollMs?: number;
}

export async function waitForAgentReady(handle: SandboxHandle, progress: SandboxProgressFn, options: AgentReadyOptions): Promise<AgentStatus> {
  const deadline = Date.now() + sandboxReadyTimeoutMs;
  let last = '';
  for (;;) {
    let status: AgentStatus | undefined;
    try {
      status = await handle.agent.status();
    } catch {
      // The agent is not listening yet.
    }
    if (status?.phase === 'ready') return status;
    if (status?.phase === 'error') throw new StudioError(ErrorCode.Sandbox, status.message);
    if (status && status.message !== last) {
      last = status.message;
      progress('network', status.message);
    }
    const stopped = await options.whyStopped();
    if (stopped !== undefined) throw new StudioError(ErrorCode.Sandbox, stopped);
    if (Date.now() > deadline) throw new StudioError(ErrorCode.Timeout, `The sandbox was not ready after ${sandboxReadyTimeoutMs / 1000} s: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? sandboxReadyPollMs));
  }
}
