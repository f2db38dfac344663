import { useController } from '../state/StudioContext.tsx';
import type { InvokeRecord } from '../state/studioState.ts';

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
  const { store } = useController().deps;
  const { request, outcome } = record;
  const title = `${request.mode === 'submit' ? 'Submit' : 'Evaluate'} ${request.contract ? `${request.contract}:` : ''}${request.fn}`;
  if ('pending' in outcome) {
    return (
      <div className="result-card pending" data-testid="result-card" data-state="pending">
        <div className="result-title">{title}</div>
        <div className="muted">Waiting for the peer…</div>
      </div>
    );
  }
  if (!outcome.ok) {
    return (
      <div className="result-card error" data-testid="result-card" data-state="error">
        <div className="result-title">{title}</div>
        <div className="result-error" data-testid="result-error">
          <span className="error-code" data-testid="result-error-code">
            {outcome.code}
          </span>
          <span data-testid="result-error-message">{outcome.message}</span>
        </div>
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
            <dd data-testid="result-block">{r.blockNumber}</dd>
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
      </dl>
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
    </div>
  );
}
