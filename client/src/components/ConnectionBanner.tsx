import { useStudio } from '../state/StudioContext.tsx';

/** A slim bar while the connection to the server is down. */
export function ConnectionBanner() {
  const connection = useStudio((s) => s.connection);
  if (connection === 'open') return null;
  const text =
    connection === 'connecting'
      ? 'Connecting to the Studio server…'
      : connection === 'reconnecting'
        ? 'Reconnecting… your unsaved edits are kept in this browser.'
        : 'Disconnected from the Studio server. Reload the page to reconnect; your unsaved edits are kept in this browser.';
  return (
    <div className={`connection-banner ${connection}`} data-testid="connection-banner" data-state={connection} role="status">
      {text}
    </div>
  );
}
