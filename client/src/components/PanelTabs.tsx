import type { ReactNode } from 'react';

/** One tab of a panel: its id, its label and what shows beside the label (a count, a state). */
export interface PanelTab<Id extends string> {
  id: Id;
  label: string;
  badge?: ReactNode;
}

/** The tab strip shared by the side and bottom panels; test ids are `<testIdPrefix>-<id>`. */
export function PanelTabs<Id extends string>({ tabs, active, testIdPrefix, onSelect }: { tabs: PanelTab<Id>[]; active: Id; testIdPrefix: string; onSelect: (id: Id) => void }) {
  return (
    <div className="panel-tabs" role="tablist">
      {tabs.map((t) => (
        <button
          key={t.id}
          role="tab"
          aria-selected={active === t.id}
          className={`panel-tab${active === t.id ? ' active' : ''}`}
          data-testid={`${testIdPrefix}-${t.id}`}
          onClick={() => onSelect(t.id)}
        >
          {t.label}
          {t.badge ?? null}
        </button>
      ))}
    </div>
  );
}
