import type { BottomTab } from '../state/studioState.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { DebugConsole } from './DebugConsole.tsx';
import { LogsView } from './LogsView.tsx';
import { ProblemsView } from './ProblemsView.tsx';

/** Problems, Logs and the Debug Console under the editor. */
export function BottomPanel({ heightPx }: { heightPx: number }) {
  const { store } = useController().deps;
  const tab = useStudio((s) => s.bottomTab);
  const problems = useStudio((s) => s.diagnostics.length);
  const errors = useStudio((s) => s.diagnostics.filter((d) => d.severity === 'error').length);
  const tabs: { id: BottomTab; label: string; badge?: number }[] = [
    { id: 'problems', label: 'Problems', badge: problems },
    { id: 'logs', label: 'Logs' },
    { id: 'console', label: 'Debug Console' },
  ];
  return (
    <section className="bottom-panel" style={{ height: heightPx }}>
      <div className="panel-tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            aria-selected={tab === t.id}
            className={`panel-tab${tab === t.id ? ' active' : ''}`}
            data-testid={`panel-tab-${t.id}`}
            onClick={() => store.dispatch({ type: 'bottomTab', tab: t.id })}
          >
            {t.label}
            {t.badge ? <span className={`badge${errors ? ' error' : ''}`}>{t.badge}</span> : null}
          </button>
        ))}
      </div>
      <div className="panel-body">
        {tab === 'problems' ? <ProblemsView /> : tab === 'logs' ? <LogsView /> : <DebugConsole />}
      </div>
    </section>
  );
}
