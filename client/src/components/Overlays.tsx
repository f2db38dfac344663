import { useEffect } from 'react';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { QuickOpen } from './QuickOpen.tsx';
import { SearchInFiles } from './SearchInFiles.tsx';

/**
 * The window-wide choosers and their shortcuts: Ctrl+P (⌘P) quick open, Ctrl+Shift+F (⌘⇧F) search
 * across files. The keys are caught before the editor and the browser see them (Ctrl+P would print).
 */
export function Overlays() {
  const { store } = useController().deps;
  const overlay = useStudio((s) => s.overlay);
  const workspace = useStudio((s) => s.workspace);

  useEffect(() => {
    const onKey = (ev: KeyboardEvent): void => {
      if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
      const key = ev.key.toLowerCase();
      const wanted = key === 'p' && !ev.shiftKey ? 'quickOpen' : key === 'f' && ev.shiftKey ? 'search' : null;
      if (!wanted || !store.getState().workspace) return;
      ev.preventDefault();
      ev.stopPropagation();
      store.dispatch({ type: 'overlay', overlay: wanted });
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [store]);

  if (!overlay || !workspace) return null;
  const close = (): void => store.dispatch({ type: 'overlay', overlay: null });
  return overlay === 'quickOpen' ? <QuickOpen onClose={close} /> : <SearchInFiles key={workspace} onClose={close} />;
}
