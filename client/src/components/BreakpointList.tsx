import { useStudio, useController } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

/**
 * Every breakpoint of the workspace, as the server keeps it: a click opens the
 * line, the checkbox takes it out of the program without forgetting it.
 */
export function BreakpointList() {
  const controller = useController();
  const breakpoints = useStudio((s) => s.breakpoints);
  const rows = Object.entries(breakpoints)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([path, list]) => list.map((bp) => ({ path, bp })));
  if (rows.length === 0) return <p className="empty small">No breakpoints. Click the gutter beside a line to add one.</p>;
  return (
    <div className="breakpoint-list">
      <div className="breakpoint-list-actions">
        <button className="btn small" data-testid="breakpoints-remove-all" onClick={() => controller.debug.removeAllBreakpoints()}>
          <Icon name="trash" /> Remove all
        </button>
      </div>
      {rows.map(({ path, bp }) => {
        const enabled = bp.enabled !== false;
        const name = path.slice(path.lastIndexOf('/') + 1);
        return (
          <div
            key={`${path}:${bp.line}`}
            className={`breakpoint-row${enabled ? '' : ' disabled'}`}
            data-testid="breakpoint-item"
            data-path={path}
            data-line={bp.line}
            data-enabled={enabled}
            title={path}
            onClick={() => void controller.files.open(path, { line: bp.line, column: 1 })}
          >
            <input
              type="checkbox"
              data-testid="breakpoint-enabled"
              checked={enabled}
              title={enabled ? 'Disable' : 'Enable'}
              onClick={(e) => e.stopPropagation()}
              onChange={(e) => controller.debug.setBreakpointEnabled(path, bp.line, e.target.checked)}
            />
            <span className="breakpoint-where">
              {name}:{bp.line}
            </span>
            <span className="breakpoint-detail muted">{bp.logMessage ? `log: ${bp.logMessage}` : bp.condition ? `if ${bp.condition}` : ''}</span>
            <button
              className="icon-btn"
              data-testid="breakpoint-remove-item"
              title="Remove"
              onClick={(e) => {
                e.stopPropagation();
                controller.debug.removeBreakpoint(path, bp.line);
              }}
            >
              <Icon name="close" />
            </button>
          </div>
        );
      })}
    </div>
  );
}
