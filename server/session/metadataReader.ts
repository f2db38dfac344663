/**
 * Reads a chaincode's contract metadata (its contracts, transactions and
 * parameter names) through the Gateway, once a process that has just started
 * has registered with the peer. The agent says when it has: asking the peer
 * earlier makes it dial the placeholder package's address, fail, and write an
 * error with a stack trace to its log for every attempt. The agent is asked
 * alongside whether the process is still there: one that failed to load fails
 * the read at once, with its own error text.
 */
import type { AgentChaincodeInfo } from '../../protocol/agent.ts';
import type { ContractMetadata } from '../../protocol/messages.ts';
import { chaincodeExitPollMs, chaincodeRegisteredPollMs, metadataAttemptTimeoutMs, metadataRetryPauseMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { parseContractMetadata } from '../fabric/contractMetadata.ts';
import { nameParametersFromSource } from '../fabric/parameterNames.ts';
import type { SandboxLink } from './sandboxLink.ts';

export interface MetadataReadOptions {
  readonly link: SandboxLink;
  readonly chaincodeName: string;
  /** The workspace's sources, which name the parameters the metadata leaves unnamed. */
  readonly workspaceDir: string;
  readonly timeoutMs: number;
}

/** The metadata, once the chaincode answers; fails as soon as its process is gone or it reports an error. */
export async function readContractMetadata(options: MetadataReadOptions): Promise<ContractMetadata> {
  const done = new AbortController();
  const deadline = Date.now() + options.timeoutMs;
  try {
    await waitForRegistration(options.link, deadline, options.timeoutMs);
    return await Promise.race([readWhenRegistered(options, deadline, done.signal), failWhenProcessEnds(options.link, done.signal)]);
  } finally {
    done.abort();
  }
}

/** The error for a chaincode process that is gone: its own error text when it wrote one. */
export function chaincodeGoneError(chaincode: AgentChaincodeInfo, cause?: unknown): StudioError {
  const message = chaincode.lastError ?? `The chaincode process ${chaincode.reason ?? 'exited'} while starting; its log says why.`;
  return new StudioError(ErrorCode.ChaincodeNotRunning, message, { cause });
}

/**
 * Resolves once the agent reports the process registered (an agent that does not say, from an
 * older image, counts as registered: the read then retries as before); fails once it is gone.
 */
async function waitForRegistration(link: SandboxLink, deadline: number, timeoutMs: number): Promise<void> {
  for (;;) {
    const agent = await link.handle?.agent.status().catch(() => undefined);
    if (agent) {
      if (agent.chaincode.phase !== 'running') throw chaincodeGoneError(agent.chaincode);
      if (agent.chaincode.registered !== false) return;
    }
    if (Date.now() > deadline) throw new StudioError(ErrorCode.Timeout, `The chaincode did not register with the peer within ${timeoutMs / 1000} s.`);
    await pause(chaincodeRegisteredPollMs);
  }
}

async function readWhenRegistered(options: MetadataReadOptions, deadline: number, done: AbortSignal): Promise<ContractMetadata> {
  const { link, chaincodeName, timeoutMs } = options;
  let lastError: unknown;
  while (!done.aborted) {
    const gateway = link.gateway;
    if (!gateway) throw new StudioError(ErrorCode.SandboxNotReady, 'The sandbox is not connected.');
    try {
      const metadata = parseContractMetadata(await gateway.metadata(chaincodeName, { timeoutMs: metadataAttemptTimeoutMs }));
      return await nameParametersFromSource(metadata, options.workspaceDir);
    } catch (err) {
      lastError = err;
      // The peer may still be settling the registration it has just accepted: try again.
      if (err instanceof StudioError && err.code === ErrorCode.Chaincode) throw err;
    }
    if (Date.now() > deadline) {
      throw new StudioError(ErrorCode.Timeout, `The chaincode did not answer within ${timeoutMs / 1000} s: ${lastError instanceof Error ? lastError.message : String(lastError)}`, { cause: lastError });
    }
    await pause(metadataRetryPauseMs);
  }
  throw new StudioError(ErrorCode.ChaincodeNotRunning, 'The chaincode process ended while starting.', { cause: lastError });
}

/** Rejects once the agent reports the chaincode process gone; a lost agent is left to the read's own deadline. */
async function failWhenProcessEnds(link: SandboxLink, done: AbortSignal): Promise<never> {
  while (!done.aborted) {
    const agent = await link.handle?.agent.status().catch(() => undefined);
    if (agent && agent.chaincode.phase !== 'running') throw chaincodeGoneError(agent.chaincode);
    await pause(chaincodeExitPollMs);
  }
  throw new StudioError(ErrorCode.ChaincodeNotRunning, 'The metadata read has ended.');
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
