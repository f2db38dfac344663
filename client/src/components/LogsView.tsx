import { useEffect, useMemo, useRef, useState } from 'react';
import type { LogSource } from '../../../protocol/messages.ts';
import { logLinesRenderedMax } from '../config.ts';
import { filterLogs } from '../state/logBuffer.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

const sources: LogSource[] = ['chaincode', 'peer', 'orderer', 'sandbox'];

/** The sandbox's logs: filter by source and text, follow the tail, clear. At most ~2000 lines in the DOM. */
export function LogsView() {
  const { store } = useController().deps;
  const entries = useStudio((s) => s.logs.entries);
  const [shownSources, setShownSources] = useState<LogSource[]>(sources);
  const [text, setText] = useState('');
  const [follow, setFollow] = useState(true);
  const body = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => filterLogs(entries, { sources: shownSources, text }, logLinesRenderedMax), [entries, shownSources, text]);

  useEffect(() => {
    if (follow && body.current) body.current.scrollTop = body.current.scrollHeight;
  }, [shown, follow]);

  const toggle = (source: LogSource): void =>
    setShownSources((current) => (current.includes(source) ? current.filter((s) => s !== source) : [...current, source]));

  return (
    <div className="logs">
      <div className="panel-toolbar">
        {sources.map((source) => (
          <label key={source} className={`log-filter tag-${source}${shownSources.includes(source) ? ' on' : ''}`}>
            <input type="checkbox" data-testid={`log-filter-${source}`} checked={shownSources.includes(source)} onChange={() => toggle(source)} />
            {source}
          </label>
        ))}
        <input className="search" data-testid="log-search" placeholder="Filter (text)" value={text} onChange={(e) => setText(e.target.value)} />
        <span className="toolbar-spacer" />
        <span className="muted">
          {shown.length} / {entries.length} lines
        </span>
        <label className="toggle">
          <input type="checkbox" data-testid="log-follow" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        <button className="icon-btn" data-testid="log-clear" title="Clear" onClick={() => store.dispatch({ type: 'logsCleared' })}>
          <Icon name="clear" />
        </button>
      </div>
      <div
        className="log-body"
        ref={body}
        data-testid="log-view"
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          if (atBottom !== follow) setFollow(atBottom);
        }}
      >
        {shown.map((entry) => (
          <div key={entry.id} className="log-line" data-testid="log-line" data-source={entry.source}>
            <span className="log-time">{entry.time.slice(11, 23)}</span>
            <span className={`log-tag tag-${entry.source}`}>{entry.source}</span>
            <span className="log-text">{entry.text}</span>
          </div>
        ))}
        {shown.length === 0 ? <p className="empty">{entries.length === 0 ? 'No log lines yet. Run the chaincode to start the sandbox.' : 'No line matches the filter.'}</p> : null}
      </div>
    </div>
  );
}
