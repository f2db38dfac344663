import { useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, MouseEvent } from 'react';
import { baseName, buildFileTree, parentOf } from '../state/fileTree.ts';
import type { TreeNode } from '../state/fileTree.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { ContextMenu } from './ContextMenu.tsx';
import type { MenuItem } from './ContextMenu.tsx';
import { Icon } from './Icon.tsx';

type Editing = { mode: 'create'; kind: 'file' | 'dir'; parent: string } | { mode: 'rename'; path: string };

/** The workspace's files: open on click, create / rename / delete by buttons or context menu. */
export function FileTree() {
  const controller = useController();
  const files = useStudio((s) => s.files);
  const tabs = useStudio((s) => s.tabs);
  const activeTab = useStudio((s) => s.activeTab);
  const diagnostics = useStudio((s) => s.diagnostics);
  const workspace = useStudio((s) => s.workspace);
  const tree = useMemo(() => buildFileTree(files), [files]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<TreeNode | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number; node: TreeNode | null } | null>(null);

  const dirty = useMemo(() => new Set(tabs.filter((t) => t.dirty).map((t) => t.path)), [tabs]);
  const withErrors = useMemo(() => new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.file)), [diagnostics]);

  const folderFor = (node: TreeNode | null): string => (node ? (node.kind === 'dir' ? node.path : parentOf(node.path)) : '');
  const startCreate = (kind: 'file' | 'dir', node: TreeNode | null): void => {
    const parent = folderFor(node);
    if (parent) setCollapsed((c) => new Set([...c].filter((p) => p !== parent)));
    setEditing({ mode: 'create', kind, parent });
  };
  const remove = (node: TreeNode): void => {
    const what = node.kind === 'dir' ? `the folder ${node.path} and everything in it` : node.path;
    if (window.confirm(`Delete ${what}?`)) void controller.workspace.deletePath(node.path);
  };
  const commit = (name: string): void => {
    const current = editing;
    setEditing(null);
    const trimmed = name.trim().replace(/^\/+|\/+$/g, '');
    if (!current || !trimmed) return;
    if (current.mode === 'create') {
      void controller.workspace.createPath(current.parent ? `${current.parent}/${trimmed}` : trimmed, current.kind);
    } else if (trimmed !== baseName(current.path)) {
      const parent = parentOf(current.path);
      void controller.workspace.renamePath(current.path, parent ? `${parent}/${trimmed}` : trimmed);
    }
  };

  const menuItems = (node: TreeNode | null): MenuItem[] => [
    { label: 'New File…', testId: 'ctx-new-file', run: () => startCreate('file', node) },
    { label: 'New Folder…', testId: 'ctx-new-folder', run: () => startCreate('dir', node) },
    ...(node
      ? [
          { label: 'Rename…', testId: 'ctx-rename', run: () => setEditing({ mode: 'rename', path: node.path }) },
          { label: 'Delete', testId: 'ctx-delete', danger: true, run: () => remove(node) },
        ]
      : []),
  ];

  const openMenu = (ev: MouseEvent, node: TreeNode | null): void => {
    ev.preventDefault();
    ev.stopPropagation();
    if (node) setSelected(node);
    setMenu({ x: ev.clientX, y: ev.clientY, node });
  };

  const renderInput = (depth: number, initial: string, kind: 'file' | 'dir') => (
    <div className="tree-row editing" style={{ paddingLeft: 8 + depth * 12 }}>
      <Icon name={kind === 'dir' ? 'folder' : 'file'} />
      <NameInput initial={initial} onDone={commit} onCancel={() => setEditing(null)} />
    </div>
  );

  const renderNodes = (nodes: TreeNode[], depth: number, parent: string) => (
    <>
      {editing?.mode === 'create' && editing.parent === parent ? renderInput(depth, '', editing.kind) : null}
      {nodes.map((node) => {
        const open = node.kind === 'dir' && !collapsed.has(node.path);
        const isRenaming = editing?.mode === 'rename' && editing.path === node.path;
        return (
          <div key={node.path}>
            {isRenaming ? (
              renderInput(depth, node.name, node.kind)
            ) : (
              <div
                className={[
                  'tree-row',
                  node.path === activeTab ? 'active' : '',
                  selected?.path === node.path ? 'selected' : '',
                  withErrors.has(node.path) ? 'has-error' : '',
                ].join(' ')}
                style={{ paddingLeft: 8 + depth * 12 }}
                data-testid="file-tree-item"
                data-path={node.path}
                data-kind={node.kind}
                data-dirty={dirty.has(node.path) || undefined}
                title={node.path}
                onClick={() => {
                  setSelected(node);
                  if (node.kind === 'dir') {
                    setCollapsed((c) => {
                      const next = new Set(c);
                      if (next.has(node.path)) next.delete(node.path);
                      else next.add(node.path);
                      return next;
                    });
                  } else {
                    void controller.files.open(node.path);
                  }
                }}
                onContextMenu={(ev) => openMenu(ev, node)}
              >
                {node.kind === 'dir' ? <Icon name={open ? 'chevronDown' : 'chevronRight'} /> : <span className="tree-spacer" />}
                <span className={`tree-name ${node.kind}`}>{node.name}</span>
                {dirty.has(node.path) ? <span className="dirty-dot" data-testid="file-tree-dirty" title="Unsaved changes" /> : null}
              </div>
            )}
            {open ? renderNodes(node.children, depth + 1, node.path) : null}
          </div>
        );
      })}
    </>
  );

  return (
    <section className="sidebar file-tree" data-testid="file-tree" onContextMenu={(ev) => workspace && openMenu(ev, null)}>
      <div className="section-header">
        <span title={workspace ? `Explorer: ${workspace}` : 'Explorer'}>{workspace ?? 'Explorer'}</span>
        <div className="section-actions">
          <button className="icon-btn" data-testid="new-file" title="New File" disabled={!workspace} onClick={() => startCreate('file', selected)}>
            <Icon name="newFile" />
          </button>
          <button className="icon-btn" data-testid="new-folder" title="New Folder" disabled={!workspace} onClick={() => startCreate('dir', selected)}>
            <Icon name="newFolder" />
          </button>
          <button
            className="icon-btn"
            data-testid="rename-path"
            title="Rename"
            disabled={!selected}
            onClick={() => selected && setEditing({ mode: 'rename', path: selected.path })}
          >
            <Icon name="edit" />
          </button>
          <button className="icon-btn" data-testid="delete-path" title="Delete" disabled={!selected} onClick={() => selected && remove(selected)}>
            <Icon name="trash" />
          </button>
        </div>
      </div>
      <div className="tree-body" role="tree">
        {workspace ? renderNodes(tree, 0, '') : <p className="empty">Open or create a workspace to see its files.</p>}
      </div>
      {menu ? <ContextMenu x={menu.x} y={menu.y} items={menuItems(menu.node)} onClose={() => setMenu(null)} /> : null}
    </section>
  );
}

/** The inline name box for a new or renamed entry: Enter commits, Escape cancels. */
function NameInput({ initial, onDone, onCancel }: { initial: string; onDone: (name: string) => void; onCancel: () => void }) {
  const [value, setValue] = useState(initial);
  // Enter and Escape unmount the box, and some browsers then fire blur: finish once.
  const finished = useRef(false);
  const finish = (commit: boolean): void => {
    if (finished.current) return;
    finished.current = true;
    if (commit) onDone(value);
    else onCancel();
  };
  const onKey = (ev: KeyboardEvent<HTMLInputElement>): void => {
    if (ev.key === 'Enter') finish(true);
    if (ev.key === 'Escape') finish(false);
  };
  return (
    <input
      className="tree-input"
      data-testid="file-tree-input"
      autoFocus
      value={value}
      onFocus={(e) => {
        const dot = initial.lastIndexOf('.');
        e.target.setSelectionRange(0, dot > 0 ? dot : initial.length);
      }}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={onKey}
      onBlur={() => finish(true)}
    />
  );
}
