import type { KeyValueStorage } from './unsavedEdits.ts';

/**
 * Per-browser choices remembered across reloads: small JSON values in localStorage.
 * Breakpoints and exception filters are not here: the server keeps them per workspace.
 */
export interface Prefs {
  lastWorkspace(): string | null;
  setLastWorkspace(workspace: string | null): void;
  restartOnSave(): boolean;
  setRestartOnSave(value: boolean): void;
  openTabs(workspace: string): { paths: string[]; active: string | null };
  setOpenTabs(workspace: string, paths: string[], active: string | null): void;
  watches(workspace: string): string[];
  setWatches(workspace: string, watches: string[]): void;
}

const prefix = 'chaincode-studio:';

/** The prefs over `storage`; unreadable values fall back to defaults. */
export function createPrefs(storage: KeyValueStorage): Prefs {
  const get = <T>(key: string, fallback: T, valid: (v: unknown) => v is T): T => {
    try {
      const raw = storage.getItem(prefix + key);
      if (raw === null) return fallback;
      const value: unknown = JSON.parse(raw);
      return valid(value) ? value : fallback;
    } catch {
      return fallback;
    }
  };
  const set = (key: string, value: unknown): void => {
    try {
      if (value === null) storage.removeItem(prefix + key);
      else storage.setItem(prefix + key, JSON.stringify(value));
    } catch {
      // A full storage only costs the remembered choice.
    }
  };
  const isString = (v: unknown): v is string => typeof v === 'string';
  const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
  const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isTabs = (v: unknown): v is { paths: string[]; active: string | null } =>
    isObject(v) && isStringArray(v.paths) && (v.active === null || isString(v.active));

  return {
    lastWorkspace: () => get<string | null>('workspace', null, isString),
    setLastWorkspace: (workspace) => set('workspace', workspace),
    restartOnSave: () => get('restartOnSave', true, isBoolean),
    setRestartOnSave: (value) => set('restartOnSave', value),
    openTabs: (workspace) => get(`tabs:${workspace}`, { paths: [], active: null }, isTabs),
    setOpenTabs: (workspace, paths, active) => set(`tabs:${workspace}`, { paths, active }),
    watches: (workspace) => get(`watches:${workspace}`, [], isStringArray),
    setWatches: (workspace, watches) => set(`watches:${workspace}`, watches),
  };
}
