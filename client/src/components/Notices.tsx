import { useEffect } from 'react';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

const infoNoticeMs = 4_000;
const errorNoticeMs = 12_000;

/** Short messages at the bottom right; errors stay longer. */
export function Notices() {
  const { store } = useController().deps;
  const notices = useStudio((s) => s.notices);
  useEffect(() => {
    const timers = notices.map((n) =>
      setTimeout(() => store.dispatch({ type: 'noticeDismissed', id: n.id }), n.kind === 'error' ? errorNoticeMs : infoNoticeMs),
    );
    return () => timers.forEach(clearTimeout);
  }, [notices, store]);
  if (notices.length === 0) return null;
  return (
    <div className="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.kind}`} data-testid="notice" role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          <button className="icon-btn" title="Dismiss" onClick={() => store.dispatch({ type: 'noticeDismissed', id: n.id })}>
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}
