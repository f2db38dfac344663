/**
 * Follows one sandbox's channel: every committed block the peer delivers is
 * decoded into the ledger index, from block 0 on, and announced. A broken
 * stream (peer restart) is resumed from the next block after a pause.
 */
import type { LedgerBlockSummary } from '../../protocol/ledger.ts';
import { ledgerFeedRetryMs } from '../config.ts';
import { decodeBlock } from '../fabric/blockDecoder.ts';
import type { SandboxGateway } from '../fabric/gateway.ts';
import { createLedgerIndex, type LedgerIndex } from './ledgerIndex.ts';

export interface LedgerFeed {
  readonly index: LedgerIndex;
  close(): void;
}

export function followLedger(gateway: SandboxGateway, onBlock: (block: LedgerBlockSummary) => void): LedgerFeed {
  const index = createLedgerIndex();
  let closed = false;
  let stream: { close(): void } | undefined;
  let retry: NodeJS.Timeout | undefined;

  const follow = async (): Promise<void> => {
    while (!closed) {
      try {
        const blocks = await gateway.blocks(index.height);
        stream = blocks;
        if (closed) break;
        for await (const block of blocks) {
          const before = index.height;
          const decoded = decodeBlock(block);
          index.apply(decoded);
          if (index.height > before) {
            const [summary] = index.blocks({ limit: 1 });
            if (summary) onBlock(summary);
          }
        }
      } catch {
        // The stream broke (peer restart, sandbox stopped): try again from the next block.
      } finally {
        stream?.close();
        stream = undefined;
      }
      if (!closed) await new Promise<void>((resolve) => (retry = setTimeout(resolve, ledgerFeedRetryMs)));
    }
  };
  void follow();

  return {
    index,
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      stream?.close();
    },
  };
}
