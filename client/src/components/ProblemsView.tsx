import { useMemo } from 'react';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { useRovingList } from './useRovingList.ts';

const severityOrder = { error: 0, warning: 1, info: 2 } as const;

/** Compiler problems from `diagnostics` and the `run` reply; click one (or arrow to it and press Enter) to open the file at its line. */
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
  const open = (index: number): void => {
    const d = sorted[index];
    if (d) void controller.files.open(d.file, { line: d.line, column: d.column });
  };
  const item = useRovingList(sorted.length, open);
  if (sorted.length === 0) return <p className="empty" data-testid="problems-empty">No problems have been detected in the workspace.</p>;
  return (
    <ul className="problems" data-testid="problems-list" role="listbox" aria-label="Problems">
      {sorted.map((d, i) => (
        <li
          key={`${d.file}:${d.line}:${d.column}:${i}`}
          {...item(i)}
          role="option"
          aria-selected={false}
          aria-label={`${d.severity}: ${d.message}, ${d.file} line ${d.line} column ${d.column}`}
          className={`problem ${d.severity}`}
          data-testid="problem-item"
          data-file={d.file}
          data-line={d.line}
          data-severity={d.severity}
          onClick={() => open(i)}
        >
          <span className={`severity-icon ${d.severity}`} aria-hidden="true" />
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
