import type { SideTab } from '../state/studioState.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { DebugPanel } from './DebugPanel.tsx';
import { TransactionPanel } from './TransactionPanel.tsx';

/** The right-hand panel: the Transaction form or the Debugger. */
export function SidePanel() {
  const { store } = useController().deps;
  const tab = useStudio((s) => s.sideTab);
  const paused = useStudio((s) => s.paused !== null);
  const tabs: { id: SideTab; label: string }[] = [
    { id: 'transaction', label: 'Transaction' },
    { id: 'debug', label: 'Debug' },
  ];
  return (
    <aside className="side-panel">
      <div className="panel-tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            aria-selected={tab === t.id}
            className={`panel-tab${tab === t.id ? ' active' : ''}`}
            data-testid={`side-tab-${t.id}`}
            onClick={() => store.dispatch({ type: 'sideTab', tab: t.id })}
          >
            {t.label}
            {t.id === 'debug' && paused ? <span className="badge paused">paused</span> : null}
          </button>
        ))}
      </div>
      <div className="side-body">{tab === 'transaction' ? <TransactionPanel /> : <DebugPanel />}</div>
    </aside>
  );
}
