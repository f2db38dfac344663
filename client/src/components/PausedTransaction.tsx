import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

/**
 * In the Transaction panel: a transaction paused in the debugger (whichever tab
 * sent it), with Continue and Restart, and a save that waits for it to finish.
 */
export function PausedTransaction() {
  const controller = useController();
  const paused = useStudio((s) => s.paused);
  const restartPending = useStudio((s) => s.status?.restartPending === true);
  const busy = useStudio((s) => s.busy);
  if (!paused && !restartPending) return null;
  const where = paused?.frame?.source?.path ? `${paused.frame.source.path}:${paused.frame.line}` : undefined;
  return (
    <div className="paused-transaction" data-testid="tx-paused" data-txid={paused?.txId ?? ''} data-restart-pending={restartPending}>
      {paused ? (
        <p data-testid="tx-paused-text">
          {paused.txId ? (
            <>
              Transaction <span className="mono" title={paused.txId}>{paused.txId.slice(0, 12)}…</span> is paused
            </>
          ) : (
            'The chaincode is paused'
          )}
          {paused.peer ? (
            <>
              {' '}
              on <span className="mono" data-testid="tx-paused-peer">{paused.peer}</span>
            </>
          ) : null}
          {where ? (
            <>
              {' '}
              at{' '}
              <button className="link" onClick={() => controller.debug.showPause()}>
                {where}
              </button>
            </>
          ) : null}
          . The chaincode waits until it goes on, and so do other transactions.
        </p>
      ) : null}
      {restartPending ? (
        <p className="muted small" data-testid="tx-restart-pending">
          Your saved changes apply when the transaction finishes: the chaincode restarts then.
        </p>
      ) : null}
      <div className="row">
        {paused ? (
          <button className="btn small primary" data-testid="tx-paused-continue" onClick={() => void controller.debug.step('continue')} title="Continue (F5)">
            <Icon name="continue" /> Continue
          </button>
        ) : null}
        <button
          className="btn small"
          data-testid="tx-paused-restart"
          disabled={busy !== null}
          onClick={() => void controller.workspace.run()}
          title="Restart the chaincode now: the transaction fails and nothing is committed"
        >
          <Icon name="restart" /> Restart{restartPending ? ' now' : ''}
        </button>
      </div>
    </div>
  );
}
