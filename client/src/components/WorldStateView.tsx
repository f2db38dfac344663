import { useEffect, useRef, useState } from 'react';
import { worldStatePageSize } from '../controller/ledgerController.ts';
import { worldStateRow } from '../state/ledgerState.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { LedgerKey, LedgerValueView, valuePreview } from './LedgerValueView.tsx';
import { pagesOf, visibleRows } from './virtualRows.ts';

/** Fixed row height, so the visible rows follow from the scroll offset alone. */
const rowHeightPx = 24;
/** Rows rendered above and below the visible ones, so a fast scroll does not show blanks. */
const overscanRows = 10;
const searchDebounceMs = 250;

/**
 * The world state of a namespace as a table in key order. Only the visible
 * rows are rendered, and only the pages they fall in are fetched, so tens of
 * thousands of keys scroll as smoothly as ten.
 */
export function WorldStateView() {
  const controller = useController();
  const ws = useStudio((s) => s.ledger.worldState);
  const history = useStudio((s) => s.ledger.keyHistory);
  const [search, setSearch] = useState(ws.search);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportPx, setViewportPx] = useState(400);
  const body = useRef<HTMLDivElement>(null);

  // First visit: read the first page of the default namespace.
  useEffect(() => {
    if (ws.total === null && !ws.error) void controller.ledger.loadWorldStatePage(0);
  }, [controller, ws.total, ws.error, ws.query]);

  useEffect(() => {
    if (search === ws.search) return;
    const timer = setTimeout(() => {
      body.current?.scrollTo({ top: 0 });
      setScrollTop(0);
      void controller.ledger.queryWorldState(ws.namespace, search);
    }, searchDebounceMs);
    return () => clearTimeout(timer);
  }, [controller, search, ws.search, ws.namespace]);

  useEffect(() => {
    const el = body.current;
    if (!el) return;
    const measure = () => setViewportPx(el.clientHeight || 400);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const total = ws.total ?? 0;
  const { first, last } = visibleRows(scrollTop, viewportPx, rowHeightPx, total, overscanRows);

  // Fetch the pages the visible rows fall in (the controller skips those fetched or on their way).
  useEffect(() => {
    if (ws.total === null) return;
    for (const offset of pagesOf(first, last, worldStatePageSize)) {
      if (!ws.fresh[offset]) void controller.ledger.loadWorldStatePage(offset);
    }
  }, [controller, first, last, ws.fresh, ws.total, ws.query]);

  const rows = [];
  for (let row = first; row < last; row++) {
    const entry = worldStateRow(ws, row, worldStatePageSize);
    rows.push(
      entry ? (
        <div
          key={row}
          className={`ws-row${history?.key === entry.key ? ' selected' : ''}`}
          style={{ top: row * rowHeightPx, height: rowHeightPx }}
          data-testid="ws-row"
          data-key={entry.key}
          onClick={() => void controller.ledger.openKeyHistory(entry.key)}
        >
          <span className="ws-key">
            <LedgerKey k={entry.key} />
          </span>
          <span className="ws-value mono" data-testid="ws-value">
            {valuePreview(entry.value)}
            {entry.value.truncated ? <span className="muted">{` (${entry.value.bytes} bytes)`}</span> : null}
          </span>
          <span className="ws-version muted" data-testid="ws-version">
            {entry.version.blockNum}:{entry.version.txNum}
          </span>
        </div>
      ) : (
        <div key={row} className="ws-row loading" style={{ top: row * rowHeightPx, height: rowHeightPx }}>
          <span className="muted">…</span>
        </div>
      ),
    );
  }

  return (
    <div className="ledger-split">
      <div className="ws-table" data-testid="ws-table">
        <div className="ws-toolbar">
          {ws.namespaces.length > 1 ? (
            <select
              data-testid="ws-namespace"
              value={ws.namespace ?? ''}
              onChange={(e) => {
                setScrollTop(0);
                body.current?.scrollTo({ top: 0 });
                void controller.ledger.queryWorldState(e.target.value, ws.search);
              }}
            >
              {ws.namespaces.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          ) : (
            <span className="muted" data-testid="ws-namespace-name">
              {ws.namespace ?? ''}
            </span>
          )}
          <input data-testid="ws-search" type="search" placeholder="Search keys" value={search} onChange={(e) => setSearch(e.target.value)} />
          <span className="muted" data-testid="ws-total">
            {ws.total === null ? '' : `${ws.total} key${ws.total === 1 ? '' : 's'}`}
          </span>
        </div>
        {ws.error ? (
          <div className="ledger-error" data-testid="ledger-error">
            {ws.error}
          </div>
        ) : (
          <>
            <div className="ws-row ws-header">
              <span className="ws-key">Key</span>
              <span className="ws-value">Value</span>
              <span className="ws-version">Version</span>
            </div>
            <div className="ws-body" ref={body} data-testid="ws-body" onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
              <div className="ws-spacer" style={{ height: total * rowHeightPx }}>
                {rows}
              </div>
            </div>
          </>
        )}
      </div>
      {history ? <KeyHistory /> : null}
    </div>
  );
}

function KeyHistory() {
  const controller = useController();
  const history = useStudio((s) => s.ledger.keyHistory);
  const namespace = useStudio((s) => s.ledger.worldState.namespace);
  if (!history) return null;
  const close = () => controller.deps.store.dispatch({ type: 'ledger', action: { type: 'keyHistoryClosed' } });
  return (
    <div className="ledger-tx" data-testid="key-history" data-key={history.key}>
      <div className="ledger-tx-head">
        <LedgerKey k={history.key} />
        <button className="btn small" data-testid="key-history-close" onClick={close}>
          Close
        </button>
      </div>
      {history.error ? (
        <div className="ledger-error">{history.error}</div>
      ) : !history.history ? (
        <div className="muted">Reading the history…</div>
      ) : (
        <ol className="key-history">
          {history.history.map((h) => (
            <li key={`${h.txId}:${h.version.blockNum}:${h.version.txNum}`} data-testid="key-history-entry" data-txid={h.txId} data-delete={h.isDelete}>
              <div>
                <button className="ledger-link mono" title="Show the transaction" onClick={() => void controller.ledger.openTransaction(h.txId, h.version.blockNum)}>
                  {h.txId.slice(0, 12)}…
                </button>{' '}
                <span className="muted">
                  v{h.version.blockNum}:{h.version.txNum} {h.time ? new Date(h.time).toLocaleString() : ''}
                </span>
                {h.isDelete ? <span className="rwset-delete"> deleted</span> : null}
              </div>
              {h.value ? <LedgerValueView value={h.value} origin={{ ...(namespace ? { namespace } : {}), key: history.key, blockNumber: h.version.blockNum, txNum: h.version.txNum }} /> : null}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
