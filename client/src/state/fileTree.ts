import type { FileEntry } from '../../../protocol/messages.ts';

/** A node of the file tree: a file, or a folder with its children sorted folders-first. */
export interface TreeNode {
  name: string;
  path: string;
  kind: 'file' | 'dir';
  children: TreeNode[];
}

/**
 * The nested tree of a workspace's flat file list. Folders that only appear
 * as a file's parent are created too, so the server may list files alone.
 */
export function buildFileTree(entries: readonly FileEntry[]): TreeNode[] {
  const root: TreeNode = { name: '', path: '', kind: 'dir', children: [] };
  const dirs = new Map<string, TreeNode>([['', root]]);

  const dirAt = (path: string): TreeNode => {
    const known = dirs.get(path);
    if (known) return known;
    const slash = path.lastIndexOf('/');
    const parent = dirAt(slash < 0 ? '' : path.slice(0, slash));
    const node: TreeNode = { name: path.slice(slash + 1), path, kind: 'dir', children: [] };
    parent.children.push(node);
    dirs.set(path, node);
    return node;
  };

  for (const entry of entries) {
    const path = entry.path.replace(/^\/+|\/+$/g, '');
    if (!path) continue;
    if (entry.kind === 'dir') {
      dirAt(path);
      continue;
    }
    const slash = path.lastIndexOf('/');
    const parent = dirAt(slash < 0 ? '' : path.slice(0, slash));
    if (!parent.children.some((c) => c.path === path)) {
      parent.children.push({ name: path.slice(slash + 1), path, kind: 'file', children: [] });
    }
  }

  const sort = (nodes: TreeNode[]): TreeNode[] => {
    nodes.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
    for (const node of nodes) sort(node.children);
    return nodes;
  };
  return sort(root.children);
}

/** The folder part of a path ('' at the top). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The last segment of a path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `root` or inside it. */
export function isUnderPath(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** A row of the tree as shown: a node whose folders above are all open, with its place for assistive technology. */
export interface VisibleRow {
  node: TreeNode;
  /** 1 at the top, as `aria-level` counts. */
  level: number;
  /** 1-based place among its siblings, and how many they are. */
  position: number;
  siblings: number;
}

/** The rows shown, top to bottom, when the folders in `collapsed` are closed. */
export function visibleRows(nodes: readonly TreeNode[], collapsed: ReadonlySet<string>, level = 1): VisibleRow[] {
  return nodes.flatMap((node, i) => [
    { node, level, position: i + 1, siblings: nodes.length },
    ...(node.kind === 'dir' && !collapsed.has(node.path) ? visibleRows(node.children, collapsed, level + 1) : []),
  ]);
}
