import { useEffect, useMemo, useRef, useState } from 'react';
import type { LogLevel, LogSource } from '../../../protocol/messages.ts';
import { logLinesRenderedMax } from '../config.ts';
import { filterLogs } from '../state/logBuffer.ts';
import type { TransactionLogs } from '../state/logBuffer.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

const sources: { source: LogSource; label: string; title: string }[] = [
  { source: 'chaincode', label: 'chaincode', title: "Your chaincode's own output: console.* and uncaught errors" },
  { source: 'shim', label: 'shim', title: 'The runtime around your code: fabric-shim, fabric-contract-api, the Node inspector' },
  { source: 'peer', label: 'peer', title: 'The Fabric peer' },
  { source: 'orderer', label: 'orderer', title: 'The Fabric orderer' },
  { source: 'sandbox', label: 'sandbox', title: 'Chaincode Studio: builds, starts, limits' },
];

const levels: { value: LogLevel; label: string }[] = [
  { value: 'debug', label: 'All levels' },
  { value: 'warning', label: 'Warnings and errors' },
  { value: 'error', label: 'Errors only' },
];

/**
 * The sandbox's logs: filter by source, level, text and transaction, follow the tail, clear.
 * At most ~2000 lines in the DOM.
 */
export function LogsView() {
  const { store } = useController().deps;
  const entries = useStudio((s) => s.logs.entries);
  const invokes = useStudio((s) => s.invokes);
  const transaction = useStudio((s) => s.logTransaction);
  const [shownSources, setShownSources] = useState<LogSource[]>(sources.map((s) => s.source));
  const [minLevel, setMinLevel] = useState<LogLevel>('debug');
  const [text, setText] = useState('');
  // In a network of several orgs: only one org's peer and chaincode lines ('' shows all).
  const [org, setOrg] = useState('');
  const orgs = useMemo(() => [...new Set(entries.flatMap((e) => (e.org === undefined ? [] : [e.org])))].sort(), [entries]);
  const [follow, setFollow] = useState(true);
  const body = useRef<HTMLDivElement>(null);
  const shown = useMemo(
    () => filterLogs(entries, { sources: shownSources, text, minLevel, ...(transaction ? { transaction } : {}), ...(org !== '' ? { org } : {}) }, logLinesRenderedMax),
    [entries, shownSources, text, minLevel, transaction, org],
  );
  const transactions = useMemo(() => {
    const done: (TransactionLogs & { label: string })[] = [];
    for (const record of invokes) {
      if (!('ok' in record.outcome) || !record.outcome.ok) continue;
      const { txId, durationMs } = record.outcome.result;
      done.push({ txId, durationMs, label: `${record.request.fn} · ${txId.slice(0, 8)}` });
    }
    if (transaction && !done.some((t) => t.txId === transaction.txId)) done.unshift({ ...transaction, label: transaction.txId.slice(0, 8) });
    return done;
  }, [invokes, transaction]);

  useEffect(() => {
    if (follow && body.current) body.current.scrollTop = body.current.scrollHeight;
  }, [shown, follow]);

  const toggle = (source: LogSource): void =>
    setShownSources((current) => (current.includes(source) ? current.filter((s) => s !== source) : [...current, source]));
  const pickTransaction = (txId: string): void => {
    const picked = transactions.find((t) => t.txId === txId);
    store.dispatch({ type: 'logsForTransaction', transaction: picked ? { txId: picked.txId, durationMs: picked.durationMs } : null });
  };

  return (
    <div className="logs">
      <div className="panel-toolbar" role="toolbar" aria-label="Log filters">
        {sources.map(({ source, label, title }) => (
          <label key={source} className={`log-filter tag-${source}${shownSources.includes(source) ? ' on' : ''}`} title={title}>
            <input type="checkbox" data-testid={`log-filter-${source}`} checked={shownSources.includes(source)} onChange={() => toggle(source)} />
            {label}
          </label>
        ))}
        <select className="log-select" data-testid="log-level" aria-label="Level" value={minLevel} onChange={(e) => setMinLevel(e.target.value as LogLevel)}>
          {levels.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
        <select
          className="log-select"
          data-testid="log-transaction"
          aria-label="Transaction"
          title="Only the lines of one transaction: those naming its id, and your code's lines printed while it ran"
          value={transaction?.txId ?? ''}
          onChange={(e) => pickTransaction(e.target.value)}
        >
          <option value="">All transactions</option>
          {transactions.map((t) => (
            <option key={t.txId} value={t.txId}>
              {t.label}
            </option>
          ))}
        </select>
        {orgs.length > 0 ? (
          <select className="log-select" data-testid="log-org" aria-label="Org" title="Only the lines of one org's peer and chaincode" value={org} onChange={(e) => setOrg(e.target.value)}>
            <option value="">All orgs</option>
            {orgs.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        ) : null}
        <input className="search" data-testid="log-search" aria-label="Filter log lines by text" placeholder="Filter (text)" value={text} onChange={(e) => setText(e.target.value)} />
        <span className="toolbar-spacer" />
        <span className="muted" data-testid="log-count">
          {shown.length} / {entries.length} lines
        </span>
        <label className="toggle">
          <input type="checkbox" data-testid="log-follow" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        <button className="icon-btn" data-testid="log-clear" title="Clear" aria-label="Clear the log" onClick={() => store.dispatch({ type: 'logsCleared' })}>
          <Icon name="clear" />
        </button>
      </div>
      <div
        className="log-body"
        ref={body}
        data-testid="log-view"
        role="log"
        aria-label="Sandbox log"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          if (atBottom !== follow) setFollow(atBottom);
        }}
      >
        {shown.map((entry) => (
          <div key={entry.id} className={`log-line level-${entry.level ?? 'info'}`} data-testid="log-line" data-source={entry.source} data-org={entry.org} data-level={entry.level ?? 'info'}>
            <span className="log-time">{entry.time.slice(11, 23)}</span>
            <span className={`log-tag tag-${entry.source}`}>{entry.source}</span>
            {entry.org !== undefined ? (
              <span className="log-org mono" data-testid="log-org-tag">
                {entry.org}
              </span>
            ) : null}
            <span className="log-text">{entry.text}</span>
          </div>
        ))}
        {shown.length === 0 ? <p className="empty">{entries.length === 0 ? 'No log lines yet. Run the chaincode to start the sandbox.' : 'No line matches the filter.'}</p> : null}
      </div>
    </div>
  );
}
