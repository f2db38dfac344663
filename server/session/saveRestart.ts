/**
 * Restart on save, without aborting a transaction: a save restarts the
 * chaincode at once when nothing is in flight; while a transaction is (paused
 * at a breakpoint, say) the restart waits until the last one finishes, and the
 * status says so. Run restarts at once, whatever is in flight.
 */
import type { SessionReporter } from './sessionReporter.ts';

export interface SaveRestartOptions {
  readonly reporter: SessionReporter;
  /** True when the user asked for a restart on every save. */
  readonly restartOnSave: () => boolean;
  /** True while a sandbox is attached (nothing to restart otherwise). */
  readonly sandboxAttached: () => boolean;
  /** Transactions waiting for an answer. */
  readonly transactionsInFlight: () => number;
  /** Restarts the chaincode (Run); it clears `restartPending` when it starts it. */
  readonly restart: () => Promise<unknown>;
}

/** The message a save shows while its restart waits. */
export const restartWaitsMessage =
  'Saved. The chaincode restarts with your changes when the transaction in it finishes (Run restarts it now and cuts the transaction short).';

export interface SaveRestart {
  /** A file was saved. */
  fileSaved(): Promise<void>;
  /** The last transaction in flight finished: a waiting restart happens now. */
  transactionsSettled(): void;
}

export function createSaveRestart(options: SaveRestartOptions): SaveRestart {
  const { reporter } = options;
  const restart = async (): Promise<void> => {
    await options.restart().catch((err: unknown) => reporter.log('sandbox', `Restart on save failed: ${err instanceof Error ? err.message : String(err)}`));
  };
  return {
    async fileSaved() {
      if (!options.restartOnSave() || !options.sandboxAttached()) return;
      if (options.transactionsInFlight() === 0) return restart();
      if (reporter.status.restartPending) return undefined;
      reporter.log('sandbox', restartWaitsMessage);
      reporter.setStatus({ restartPending: true, message: restartWaitsMessage });
      return undefined;
    },
    transactionsSettled() {
      if (!reporter.status.restartPending || !options.sandboxAttached()) return;
      void restart();
    },
  };
}
