import { useMemo } from 'react';
import { useController, useStudio } from '../state/StudioContext.tsx';

const severityOrder = { error: 0, warning: 1, info: 2 } as const;

/** Compiler problems from `diagnostics` and the `run` reply; click one to open the file at its line. */
export function ProblemsView() {
  const controller = useController();
  const diagnostics = useStudio((s) => s.diagnostics);
  const sorted = useMemo(
    () =>
      [...diagnostics].sort(
        (a, b) => a.file.localeCompare(b.file) || severityOrder[a.severity] - severityOrder[b.severity] || a.line - b.line || a.column - b.column,
      ),
    [diagnostics],
  );
  if (sorted.length === 0) return <p className="empty" data-testid="problems-empty">No problems have been detected in the workspace.</p>;
  return (
    <ul className="problems" data-testid="problems-list">
      {sorted.map((d, i) => (
        <li
          key={`${d.file}:${d.line}:${d.column}:${i}`}
          className={`problem ${d.severity}`}
          data-testid="problem-item"
          data-file={d.file}
          data-line={d.line}
          data-severity={d.severity}
          onClick={() => void controller.files.open(d.file, { line: d.line, column: d.column })}
        >
          <span className={`severity-icon ${d.severity}`} aria-label={d.severity} />
          <span className="problem-message">{d.message}</span>
          {d.code ? <span className="problem-code">{d.code.startsWith('TS') ? d.code : `ts(${d.code})`}</span> : null}
          <span className="problem-location">
            {d.file} [{d.line}, {d.column}]
          </span>
        </li>
      ))}
    </ul>
  );
}
