import { useState } from 'react';
import type { SourceBreakpoint } from '../../../protocol/messages.ts';

/** The popover to give a breakpoint a condition or turn it into a logpoint. */
export function BreakpointEditor(props: {
  x: number;
  y: number;
  line: number;
  existing: SourceBreakpoint | undefined;
  onSave: (breakpoint: SourceBreakpoint) => void;
  onRemove: () => void;
  onClose: () => void;
}) {
  const { existing } = props;
  const [kind, setKind] = useState<'condition' | 'logMessage'>(existing?.logMessage ? 'logMessage' : 'condition');
  const [text, setText] = useState(existing?.logMessage ?? existing?.condition ?? '');
  const save = (): void => {
    const value = text.trim();
    props.onSave(value ? { line: props.line, [kind]: value } : { line: props.line });
  };
  return (
    <div className="modal-backdrop clear" onMouseDown={props.onClose}>
      <div
        className="popover breakpoint-editor"
        data-testid="breakpoint-editor"
        style={{ left: props.x, top: props.y }}
        onMouseDown={(e) => e.stopPropagation()}
      >
        <div className="popover-title">Breakpoint on line {props.line}</div>
        <div className="popover-row">
          <select data-testid="breakpoint-kind" value={kind} onChange={(e) => setKind(e.target.value === 'logMessage' ? 'logMessage' : 'condition')}>
            <option value="condition">Expression</option>
            <option value="logMessage">Log Message</option>
          </select>
          <input
            data-testid="breakpoint-condition-input"
            autoFocus
            value={text}
            placeholder={kind === 'condition' ? "Break when true, e.g. id === 'asset1'" : 'Log text; {expr} is interpolated'}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') save();
              if (e.key === 'Escape') props.onClose();
            }}
          />
        </div>
        <div className="popover-actions">
          {existing ? (
            <button className="btn small" data-testid="breakpoint-remove" onClick={props.onRemove}>
              Remove
            </button>
          ) : null}
          <span className="toolbar-spacer" />
          <button className="btn small primary" data-testid="breakpoint-save" onClick={save}>
            {existing ? 'Save' : 'Add'}
          </button>
        </div>
      </div>
    </div>
  );
}
