import type { BottomTab } from '../state/studioState.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { DebugConsole } from './DebugConsole.tsx';
import { LedgerView } from './LedgerView.tsx';
import { LogsView } from './LogsView.tsx';
import { PanelTabs, type PanelTab } from './PanelTabs.tsx';
import { ProblemsView } from './ProblemsView.tsx';

/** Problems, Logs, the Debug Console and the Ledger under the editor. */
export function BottomPanel({ heightPx }: { heightPx: number }) {
  const { store } = useController().deps;
  const tab = useStudio((s) => s.bottomTab);
  const problems = useStudio((s) => s.diagnostics.length);
  const errors = useStudio((s) => s.diagnostics.filter((d) => d.severity === 'error').length);
  const tabs: PanelTab<BottomTab>[] = [
    { id: 'problems', label: 'Problems', badge: problems ? <span className={`badge${errors ? ' error' : ''}`}>{problems}</span> : undefined },
    { id: 'logs', label: 'Logs' },
    { id: 'console', label: 'Debug Console' },
    { id: 'ledger', label: 'Ledger' },
  ];
  return (
    <section className="bottom-panel" style={{ height: heightPx }}>
      <PanelTabs tabs={tabs} active={tab} testIdPrefix="panel-tab" onSelect={(id) => store.dispatch({ type: 'bottomTab', tab: id })} />
      <div className="panel-body">
        {tab === 'problems' ? <ProblemsView /> : tab === 'logs' ? <LogsView /> : tab === 'ledger' ? <LedgerView /> : <DebugConsole />}
      </div>
    </section>
  );
}
