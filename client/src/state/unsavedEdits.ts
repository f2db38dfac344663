/** The part of the Web Storage API the unsaved-edit store uses (localStorage in the browser). */
export interface KeyValueStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A file's text as typed but not yet saved. */
export interface UnsavedEdit {
  path: string;
  content: string;
  /** When it was typed, in ms since the epoch. */
  editedAtMs: number;
}

/**
 * Text typed but not saved, per workspace and path, kept in the browser so a
 * reload, a reconnect or a server restart loses nothing.
 */
export interface UnsavedEdits {
  /** Keeps the text; returns false when the storage refused it (quota). */
  save(workspace: string, path: string, content: string): boolean;
  get(workspace: string, path: string): UnsavedEdit | undefined;
  discard(workspace: string, path: string): void;
  /** Every unsaved file of a workspace, sorted by path. */
  list(workspace: string): UnsavedEdit[];
  /** Follows a rename of a file, or of a folder and everything under it. */
  move(workspace: string, from: string, to: string): void;
  /** Forgets a deleted file, or a folder and everything under it. */
  discardTree(workspace: string, path: string): void;
}

const keyPrefix = 'chaincode-studio:unsaved:';

function keyOf(workspace: string, path: string): string {
  return `${keyPrefix}${workspace}:${path}`;
}

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** The unsaved-edit store over `storage`. */
export function createUnsavedEdits(storage: KeyValueStorage, now: () => number = Date.now): UnsavedEdits {
  const read = (key: string, path: string): UnsavedEdit | undefined => {
    const raw = storage.getItem(key);
    if (raw === null) return undefined;
    try {
      const parsed = JSON.parse(raw) as { content?: unknown; editedAtMs?: unknown };
      if (typeof parsed.content !== 'string') return undefined;
      return { path, content: parsed.content, editedAtMs: typeof parsed.editedAtMs === 'number' ? parsed.editedAtMs : 0 };
    } catch {
      return undefined;
    }
  };
  const pathsOf = (workspace: string): string[] => {
    const prefix = `${keyPrefix}${workspace}:`;
    const paths: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key?.startsWith(prefix)) paths.push(key.slice(prefix.length));
    }
    return paths.sort();
  };
  const write = (workspace: string, edit: UnsavedEdit): boolean => {
    try {
      storage.setItem(keyOf(workspace, edit.path), JSON.stringify({ content: edit.content, editedAtMs: edit.editedAtMs }));
      return true;
    } catch {
      return false;
    }
  };

  return {
    save: (workspace, path, content) => write(workspace, { path, content, editedAtMs: now() }),
    get: (workspace, path) => read(keyOf(workspace, path), path),
    discard: (workspace, path) => storage.removeItem(keyOf(workspace, path)),
    list: (workspace) =>
      pathsOf(workspace).flatMap((path) => {
        const edit = read(keyOf(workspace, path), path);
        return edit ? [edit] : [];
      }),
    move: (workspace, from, to) => {
      for (const path of pathsOf(workspace)) {
        if (!isUnder(path, from)) continue;
        const edit = read(keyOf(workspace, path), path);
        storage.removeItem(keyOf(workspace, path));
        if (edit) write(workspace, { ...edit, path: to + path.slice(from.length) });
      }
    },
    discardTree: (workspace, root) => {
      for (const path of pathsOf(workspace)) {
        if (isUnder(path, root)) storage.removeItem(keyOf(workspace, path));
      }
    },
  };
}
