import { baseName } from '../state/fileTree.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

/** The open files: click to show, middle-click or × to close; a dot marks unsaved changes. */
export function EditorTabs() {
  const controller = useController();
  const tabs = useStudio((s) => s.tabs);
  const activeTab = useStudio((s) => s.activeTab);
  const { store } = controller.deps;
  const close = (path: string): void =>
    controller.files.close(path, (p) => window.confirm(`${p} has unsaved changes. Close it and discard them?`));
  if (tabs.length === 0) return null;
  return (
    <div className="editor-tabs" role="tablist">
      {tabs.map((tab) => (
        <div
          key={tab.path}
          role="tab"
          aria-selected={tab.path === activeTab}
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
          <span className="tab-name">{baseName(tab.path)}</span>
          <button
            className="tab-close"
            data-testid="editor-tab-close"
            title={tab.dirty ? 'Unsaved changes — close' : 'Close'}
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
    </div>
  );
}
