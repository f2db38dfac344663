import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

/**
 * Above the editor while Run is refused at a sandbox cap: the server's words,
 * and Stop sandbox for each of the user's running sandboxes, the action that
 * frees a slot (files and ledger are kept).
 */
export function RunBlockedBanner() {
  const controller = useController();
  const blocked = useStudio((s) => s.runBlocked);
  const busy = useStudio((s) => s.busy);
  if (!blocked) return null;
  const running = blocked.limit?.running ?? [];
  const freed = blocked.freed === true;
  return (
    <div className="run-blocked" data-testid="run-blocked" role="alert">
      <div className="run-blocked-text">
        <strong>{freed ? 'A sandbox slot is free now.' : 'Run needs a free sandbox slot.'}</strong>{' '}
        <span data-testid="run-blocked-message">{freed ? 'Press Run again.' : blocked.message}</span>
      </div>
      <div className="run-blocked-actions">
        {freed ? (
          <button className="btn run small" data-testid="run-blocked-run" disabled={busy !== null} onClick={() => void controller.workspace.run()}>
            <Icon name="play" /> Run
          </button>
        ) : (
          running.map((w) => (
            <button
              key={w}
              className="btn small"
              data-testid="run-blocked-stop"
              data-workspace={w}
              disabled={busy !== null}
              title={`Stop the sandbox of ${w}: its files and ledger are kept`}
              onClick={() => void controller.workspace.stopSandbox(w)}
            >
              <Icon name="stop" /> Stop sandbox of {w}
            </button>
          ))
        )}
        <button className="icon-btn" title="Dismiss" onClick={() => controller.deps.store.dispatch({ type: 'runBlocked', blocked: null })}>
          <Icon name="close" />
        </button>
      </div>
    </div>
  );
}
