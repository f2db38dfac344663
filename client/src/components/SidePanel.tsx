import type { SideTab } from '../state/studioState.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { DebugPanel } from './DebugPanel.tsx';
import { PanelTabs, type PanelTab } from './PanelTabs.tsx';
import { ProjectBar } from './ProjectBar.tsx';
import { TransactionPanel } from './TransactionPanel.tsx';

/** The right-hand panel: the Transaction form or the Debugger. */
export function SidePanel() {
  const { store } = useController().deps;
  const tab = useStudio((s) => s.sideTab);
  const paused = useStudio((s) => s.paused !== null);
  const tabs: PanelTab<SideTab>[] = [
    { id: 'transaction', label: 'Transaction' },
    { id: 'debug', label: 'Debug', badge: paused ? <span className="badge paused">paused</span> : undefined },
  ];
  return (
    <aside className="side-panel">
      <ProjectBar />
      <PanelTabs tabs={tabs} active={tab} testIdPrefix="side-tab" onSelect={(id) => store.dispatch({ type: 'sideTab', tab: id })} />
      <div className="side-body">{tab === 'transaction' ? <TransactionPanel /> : <DebugPanel />}</div>
    </aside>
  );
}
