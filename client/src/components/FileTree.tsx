import { useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, MouseEvent, ReactNode } from 'react';
import { baseName, buildFileTree, parentOf, visibleRows } from '../state/fileTree.ts';
import type { TreeNode, VisibleRow } from '../state/fileTree.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { ContextMenu } from './ContextMenu.tsx';
import type { MenuItem } from './ContextMenu.tsx';
import { Icon } from './Icon.tsx';

type Editing = { mode: 'create'; kind: 'file' | 'dir'; parent: string } | { mode: 'rename'; path: string };

/**
 * The workspace's files: open on click, create / rename / delete by buttons or context menu, and
 * all of it by keyboard (a WAI-ARIA tree: arrows move and open folders, Enter opens, F2 renames,
 * Delete deletes, Shift+F10 opens the menu).
 */
export function FileTree() {
  const controller = useController();
  const { store } = controller.deps;
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
  /** The row that holds the keyboard focus (the tree's one tab stop). */
  const [focused, setFocused] = useState<string | null>(null);
  const rows = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  const rowElements = useRef(new Map<string, HTMLDivElement>());
  const moveFocusTo = useRef<string | null>(null);
  useEffect(() => {
    const target = moveFocusTo.current;
    if (target === null) return;
    moveFocusTo.current = null;
    rowElements.current.get(target)?.focus();
  });

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

  const openMenuAt = (row: HTMLElement, node: TreeNode): void => {
    const box = row.getBoundingClientRect();
    setSelected(node);
    setMenu({ x: box.left + 24, y: box.bottom, node });
  };
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

  const toggleDir = (node: TreeNode, open?: boolean): void =>
    setCollapsed((c) => {
      const next = new Set(c);
      const isOpen = !next.has(node.path);
      if (open ?? !isOpen) next.delete(node.path);
      else next.add(node.path);
      return next;
    });
  const activate = (node: TreeNode): void => {
    setSelected(node);
    setFocused(node.path);
    if (node.kind === 'dir') toggleDir(node);
    else void controller.files.open(node.path);
  };
  const focusRow = (row: VisibleRow | undefined): void => {
    if (!row) return;
    setFocused(row.node.path);
    setSelected(row.node);
    moveFocusTo.current = row.node.path;
  };
  const onRowKey = (ev: KeyboardEvent<HTMLDivElement>, index: number): void => {
    const row = rows[index];
    if (!row) return;
    const { node } = row;
    const open = node.kind === 'dir' && !collapsed.has(node.path);
    const actions: Record<string, (() => void) | undefined> = {
      ArrowDown: () => focusRow(rows[index + 1]),
      ArrowUp: () => focusRow(rows[index - 1]),
      Home: () => focusRow(rows[0]),
      End: () => focusRow(rows.at(-1)),
      ArrowRight: () => (node.kind === 'dir' && !open ? toggleDir(node, true) : open && node.children.length > 0 ? focusRow(rows[index + 1]) : undefined),
      ArrowLeft: () => (open ? toggleDir(node, false) : focusRow(rows.find((r) => r.node.kind === 'dir' && r.node.path === parentOf(node.path)))),
      Enter: () => activate(node),
      ' ': () => activate(node),
      F2: () => setEditing({ mode: 'rename', path: node.path }),
      Delete: () => remove(node),
      ContextMenu: () => openMenuAt(ev.currentTarget, node),
    };
    const action = ev.key === 'F10' && ev.shiftKey ? () => openMenuAt(ev.currentTarget, node) : actions[ev.key];
    const handled = action !== undefined;
    action?.();
    if (handled) {
      ev.preventDefault();
      ev.stopPropagation();
    }
  };

  // The tab stop: the focused row, else the active file, else the first row.
  const tabStop = rows.some((r) => r.node.path === focused) ? focused : rows.some((r) => r.node.path === activeTab) ? activeTab : (rows[0]?.node.path ?? null);

  const renderRows = () => {
    const out: ReactNode[] = [];
    const createRow = (parent: string, level: number) =>
      editing?.mode === 'create' && editing.parent === parent ? (
        <div key={`create:${parent}`} role="none">
          {renderInput(level - 1, '', editing.kind)}
        </div>
      ) : null;
    out.push(createRow('', 1));
    rows.forEach((row, index) => {
      const { node, level } = row;
      const open = node.kind === 'dir' && !collapsed.has(node.path);
      if (editing?.mode === 'rename' && editing.path === node.path) {
        out.push(
          <div key={node.path} role="none">
            {renderInput(level - 1, node.name, node.kind)}
          </div>,
        );
      } else {
        out.push(
          <div
            key={node.path}
            ref={(el) => {
              if (el) rowElements.current.set(node.path, el);
              else rowElements.current.delete(node.path);
            }}
            role="treeitem"
            aria-level={level}
            aria-posinset={row.position}
            aria-setsize={row.siblings}
            aria-selected={selected?.path === node.path}
            aria-expanded={node.kind === 'dir' ? open : undefined}
            aria-label={`${node.name}${dirty.has(node.path) ? ', unsaved changes' : ''}${withErrors.has(node.path) ? ', has errors' : ''}`}
            tabIndex={tabStop === node.path ? 0 : -1}
            className={[
              'tree-row',
              node.path === activeTab ? 'active' : '',
              selected?.path === node.path ? 'selected' : '',
              withErrors.has(node.path) ? 'has-error' : '',
            ].join(' ')}
            style={{ paddingLeft: 8 + (level - 1) * 12 }}
            data-testid="file-tree-item"
            data-path={node.path}
            data-kind={node.kind}
            data-dirty={dirty.has(node.path) || undefined}
            title={node.path}
            onClick={() => activate(node)}
            onFocus={() => setFocused(node.path)}
            onKeyDown={(ev) => onRowKey(ev, index)}
            onContextMenu={(ev) => openMenu(ev, node)}
          >
            {node.kind === 'dir' ? <Icon name={open ? 'chevronDown' : 'chevronRight'} /> : <span className="tree-spacer" />}
            <span className={`tree-name ${node.kind}`}>{node.name}</span>
            {dirty.has(node.path) ? <span className="dirty-dot" data-testid="file-tree-dirty" title="Unsaved changes" /> : null}
          </div>,
        );
      }
      if (open) out.push(createRow(node.path, level + 1));
    });
    return out;
  };

  return (
    <section className="sidebar file-tree" data-testid="file-tree" onContextMenu={(ev) => workspace && openMenu(ev, null)}>
      <div className="section-header">
        <span title={workspace ? `Explorer: ${workspace}` : 'Explorer'}>{workspace ?? 'Explorer'}</span>
        <div className="section-actions">
          <button
            className="icon-btn"
            data-testid="quick-open-button"
            title="Go to file (Ctrl+P)"
            aria-label="Go to file"
            aria-keyshortcuts="Control+P"
            disabled={!workspace}
            onClick={() => store.dispatch({ type: 'overlay', overlay: 'quickOpen' })}
          >
            <Icon name="file" />
          </button>
          <button
            className="icon-btn"
            data-testid="search-files-button"
            title="Search in files (Ctrl+Shift+F)"
            aria-label="Search in files"
            aria-keyshortcuts="Control+Shift+F"
            disabled={!workspace}
            onClick={() => store.dispatch({ type: 'overlay', overlay: 'search' })}
          >
            <Icon name="search" />
          </button>
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
      {workspace ? (
        <div className="tree-body" role="tree" aria-label={`Files of ${workspace}`} data-testid="file-tree-body">
          {renderRows()}
        </div>
      ) : (
        <div className="tree-body">
          <p className="empty">Open or create a workspace to see its files.</p>
        </div>
      )}
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
