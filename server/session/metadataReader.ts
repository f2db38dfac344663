/**
 * Reads a chaincode's contract metadata (its contracts, transactions and
 * parameter names) through the Gateway, waiting for a process that has just
 * started to register with the peer.
 */
import type { ContractMetadata } from '../../protocol/messages.ts';
import { metadataAttemptTimeoutMs, metadataRetryPauseMs } from '../config.ts';
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

/** The metadata, once the chaincode answers; fails early when its process exits or reports an error. */
export async function readContractMetadata(options: MetadataReadOptions): Promise<ContractMetadata> {
  const { link, chaincodeName, timeoutMs } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const gateway = link.gateway;
    if (!gateway) throw new StudioError(ErrorCode.SandboxNotReady, 'The sandbox is not connected.');
    try {
      const metadata = parseContractMetadata(await gateway.metadata(chaincodeName, { timeoutMs: metadataAttemptTimeoutMs }));
      return await nameParametersFromSource(metadata, options.workspaceDir);
    } catch (err) {
      lastError = err;
      // Until the process has registered with the peer, the peer answers "not registered".
      if (err instanceof StudioError && err.code === ErrorCode.Chaincode) throw err;
    }
    const agent = await link.handle?.agent.status().catch(() => undefined);
    if (agent && agent.chaincode.phase !== 'running') {
      throw new StudioError(ErrorCode.ChaincodeNotRunning, 'The chaincode process exited while starting; its log says why.', { cause: lastError });
    }
    if (Date.now() > deadline) {
      throw new StudioError(ErrorCode.Timeout, `The chaincode did not answer within ${timeoutMs / 1000} s: ${lastError instanceof Error ? lastError.message : String(lastError)}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, metadataRetryPauseMs));
  }
}
