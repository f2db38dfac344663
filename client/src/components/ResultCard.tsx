import type { InvokeRecord } from '../state/studioState.ts';
import { ReadWriteSetView } from './ReadWriteSetView.tsx';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';
import { ExceptionStack } from './ExceptionStack.tsx';

/** The JSON result pretty-printed, or the text as it came when it is not JSON. */
export function prettyResult(result: string): string {
  if (result === '') return '(empty)';
  try {
    return JSON.stringify(JSON.parse(result), null, 2);
  } catch {
    return result;
  }
}

/** The outcome of one invoke: result, txId, block, validation code, events and duration, or the error. */
export function ResultCard({ record }: { record: InvokeRecord }) {
  const controller = useController();
  const { store } = controller.deps;
  const { request, outcome } = record;
  const title = `${request.mode === 'submit' ? 'Submit' : 'Evaluate'} ${request.contract ? `${request.contract}:` : ''}${request.fn}`;
  const previousBuild = 'ok' in outcome && outcome.ok ? (outcome.result.previousBuild ?? record.previousBuild) : record.previousBuild;
  const previousBuildNote = previousBuild ? (
    <div className="previous-build" data-testid="result-previous-build">
      Answered by the previous build: {previousBuild}.
    </div>
  ) : null;
  if ('pending' in outcome) {
    return (
      <div className="result-card pending" data-testid="result-card" data-state="pending">
        <div className="result-title">{title}</div>
        <div className="muted">Waiting for the peer…</div>
        <LongTransactionWarning contract={request.contract} fn={request.fn} />
        {previousBuildNote}
      </div>
    );
  }
  if (!outcome.ok) {
    return (
      <div className="result-card error" data-testid="result-card" data-state="error">
        <div className="result-title">{title}</div>
        {previousBuildNote}
        <div className="result-error" data-testid="result-error">
          <span className="error-code" data-testid="result-error-code">
            {outcome.code}
          </span>
          <span data-testid="result-error-message">{outcome.message}</span>
        </div>
        {outcome.exception ? <ExceptionStack exception={outcome.exception} /> : null}
      </div>
    );
  }
  const r = outcome.result;
  const valid = r.validationCode === undefined || r.validationCode === 'VALID';
  return (
    <div className={`result-card ${valid ? 'ok' : 'invalid'}`} data-testid="result-card" data-state={valid ? 'ok' : 'invalid'}>
      <div className="result-title">
        {title}
        <span className="muted" data-testid="result-duration">
          {Math.round(r.durationMs)} ms
        </span>
      </div>
      <dl className="result-fields">
        <dt>txId</dt>
        <dd className="mono" data-testid="result-txid" title={r.txId}>
          {r.txId}
        </dd>
        <dd className="result-actions">
          <button
            className="link-btn"
            data-testid="result-logs"
            onClick={() => store.dispatch({ type: 'logsForTransaction', transaction: { txId: r.txId, durationMs: r.durationMs } })}
          >
            Logs of this transaction
          </button>
        </dd>
        {r.blockNumber !== undefined ? (
          <>
            <dt>Block</dt>
            <dd>
              <span data-testid="result-block">{r.blockNumber}</span>{' '}
              <button className="ledger-link" data-testid="result-show-in-ledger" onClick={() => void controller.ledger.openTransaction(r.txId, r.blockNumber)}>
                Show in ledger
              </button>
            </dd>
          </>
        ) : null}
        {r.validationCode !== undefined ? (
          <>
            <dt>Validation</dt>
            <dd data-testid="result-validation" className={valid ? 'valid' : 'invalid'}>
              {r.validationCode}
            </dd>
          </>
        ) : null}
        {r.endorsers !== undefined && r.endorsers.length > 0 ? (
          <>
            <dt>Endorsed by</dt>
            <dd className="mono" data-testid="result-endorsers">
              {r.endorsers.join(', ')}
            </dd>
          </>
        ) : null}
      </dl>
      {previousBuildNote}
      {r.result === '' ? (
        <div className="result-value none" data-testid="result-value">
          No return value
        </div>
      ) : (
        <pre className="result-value" data-testid="result-value">
          {prettyResult(r.result)}
        </pre>
      )}
      {r.events.length > 0 ? (
        <div className="result-events" data-testid="result-events">
          <div className="subhead">Events</div>
          {r.events.map((e, i) => (
            <div key={`${e.name}:${i}`} className="result-event" data-testid="result-event">
              <span className="event-name">{e.name}</span>
              <pre>{prettyResult(e.payload)}</pre>
            </div>
          ))}
        </div>
      ) : null}
      {r.readWriteSet ? <ReadWriteSetView set={r.readWriteSet} {...(r.blockNumber !== undefined ? { at: { blockNumber: r.blockNumber, txId: r.txId } } : {})} /> : null}
    </div>
  );
}

/**
 * On a pending transaction the server reported as running on (a loop that
 * never ends): what that means, and the two ways out, pausing it in the
 * debugger to see the line, or restarting the chaincode.
 */
function LongTransactionWarning({ contract, fn }: { contract: string; fn: string }) {
  const controller = useController();
  const long = useStudio((s) => s.status?.longTransaction);
  const attached = useStudio((s) => s.debuggerAttached);
  const paused = useStudio((s) => s.paused !== null);
  const busy = useStudio((s) => s.busy);
  if (!long || long.fn !== fn || long.contract !== contract) return null;
  return (
    <div className="long-transaction" data-testid="result-long-running" role="alert">
      <p>
        <strong>
          Still running after {Math.round(long.runningMs / 1000)} s: possibly an infinite loop.
        </strong>{' '}
        Fabric cannot interrupt a transaction, and the chaincode is limited to {long.cpuLimit} of CPU. Pause it to see the line it is on, or restart the chaincode
        (this transaction then fails and nothing is committed).
      </p>
      <div className="long-transaction-actions">
        <button
          className="btn small"
          data-testid="result-pause"
          disabled={!attached || paused}
          title={attached ? 'Pause the chaincode and show where it is' : 'The debugger is not attached: press Run first'}
          onClick={() => void controller.debug.step('pause')}
        >
          <Icon name="pause" /> Pause to see where
        </button>
        <button className="btn small" data-testid="result-restart" disabled={busy !== null} onClick={() => void controller.workspace.run()}>
          <Icon name="restart" /> Restart
        </button>
      </div>
    </div>
  );
}
