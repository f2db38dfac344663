import type { ExceptionDetails } from '../../../protocol/messages.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';

/**
 * The exception a failed transaction threw, with its stack in the user's
 * sources (a frame opens its line) and an offer to stop where it is thrown.
 */
export function ExceptionStack({ exception }: { exception: ExceptionDetails }) {
  const controller = useController();
  const filters = useStudio((s) => s.exceptionFilters);
  const breaking = filters.includes('all');
  return (
    <div className="exception-stack" data-testid="exception-stack">
      <div className="exception-title">
        {exception.typeName ?? 'Error'}: {exception.message}
      </div>
      {exception.stackFrames.map((frame, i) => {
        const path = frame.source?.path;
        const library = !path || frame.source?.presentationHint === 'deemphasize';
        return (
          <div
            key={i}
            className={`exception-frame${library ? ' library' : ''}`}
            data-testid="exception-frame"
            data-path={path ?? ''}
            data-line={frame.line}
            onClick={path && !library ? () => void controller.files.open(path, { line: frame.line, column: frame.column }) : undefined}
          >
            <span className="frame-name">at {frame.name}</span>{' '}
            <span className="frame-location">
              {path ?? frame.source?.name ?? '?'}:{frame.line}:{frame.column}
            </span>
          </div>
        );
      })}
      {breaking ? (
        <p className="muted small" data-testid="exception-break-on">
          The debugger stops where an exception is thrown, caught or not.
        </p>
      ) : (
        <button
          className="btn small"
          data-testid="exception-break-next-time"
          title="Stop in the debugger where an exception is thrown, even one the contract API catches"
          onClick={() => void controller.debug.setExceptionFilters([...new Set([...filters, 'all' as const])])}
        >
          Break on this exception next time
        </button>
      )}
    </div>
  );
}
