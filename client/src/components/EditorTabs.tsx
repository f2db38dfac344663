import { baseName } from '../state/fileTree.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

/**
 * The open files: click to show, middle-click or × to close; a dot marks unsaved changes. Each tab
 * is a button beside its close button (not a `tab` holding a button: controls must not nest).
 */
export function EditorTabs() {
  const controller = useController();
  const tabs = useStudio((s) => s.tabs);
  const activeTab = useStudio((s) => s.activeTab);
  const { store } = controller.deps;
  const close = (path: string): void =>
    controller.files.close(path, (p) => window.confirm(`${p} has unsaved changes. Close it and discard them?`));
  if (tabs.length === 0) return null;
  return (
    <nav className="editor-tabs" aria-label="Open files">
      {tabs.map((tab) => (
        <div
          key={tab.path}
          className={`editor-tab${tab.path === activeTab ? ' active' : ''}${tab.dirty ? ' dirty' : ''}`}
          data-testid="editor-tab"
          data-path={tab.path}
          data-dirty={tab.dirty}
          data-active={tab.path === activeTab}
          title={tab.path}
          onClick={() => store.dispatch({ type: 'tabActivated', path: tab.path })}
          onAuxClick={(ev) => {
            if (ev.button === 1) close(tab.path);
          }}
        >
          <button className="tab-name" aria-current={tab.path === activeTab ? 'page' : undefined}>
            {baseName(tab.path)}
            {tab.dirty ? <span className="sr-only"> (unsaved changes)</span> : null}
          </button>
          <button
            className="tab-close"
            data-testid="editor-tab-close"
            title={tab.dirty ? 'Unsaved changes — close' : 'Close'}
            aria-label={`Close ${baseName(tab.path)}`}
            onClick={(ev) => {
              ev.stopPropagation();
              close(tab.path);
            }}
          >
            <span className="tab-dirty-dot" data-testid="editor-tab-dirty" />
            <Icon name="close" />
          </button>
        </div>
      ))}
    </nav>
  );
}
