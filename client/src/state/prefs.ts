import { z } from 'zod';
import type { InvokeRecord } from './studioState.ts';
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
  /** The workspace's invoke history, newest first, as it was when the tab was last open. */
  invokes(workspace: string): InvokeRecord[];
  /** Keeps the finished invokes; transient values are left out (they are meant never to be stored). */
  setInvokes(workspace: string, invokes: readonly InvokeRecord[]): void;
}

/** An invoke record as kept in storage: checked when read back, since storage is anyone's to edit. */
const StoredInvoke = z.object({
  id: z.number(),
  startedAt: z.string(),
  request: z.object({
    mode: z.enum(['submit', 'evaluate']),
    contract: z.string(),
    fn: z.string(),
    args: z.array(z.string()),
    transient: z.record(z.string(), z.string()),
  }),
  outcome: z.union([
    z.object({
      ok: z.literal(true),
      result: z.object({
        mode: z.enum(['submit', 'evaluate']),
        result: z.string(),
        txId: z.string(),
        blockNumber: z.string().optional(),
        validationCode: z.string().optional(),
        events: z.array(z.object({ name: z.string(), payload: z.string(), txId: z.string(), blockNumber: z.string() })),
        durationMs: z.number(),
      }),
    }),
    z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
  ]),
});

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
  const isInvokes = (v: unknown): v is InvokeRecord[] => z.array(StoredInvoke).safeParse(v).success;

  return {
    lastWorkspace: () => get<string | null>('workspace', null, isString),
    setLastWorkspace: (workspace) => set('workspace', workspace),
    restartOnSave: () => get('restartOnSave', true, isBoolean),
    setRestartOnSave: (value) => set('restartOnSave', value),
    openTabs: (workspace) => get(`tabs:${workspace}`, { paths: [], active: null }, isTabs),
    setOpenTabs: (workspace, paths, active) => set(`tabs:${workspace}`, { paths, active }),
    watches: (workspace) => get(`watches:${workspace}`, [], isStringArray),
    setWatches: (workspace, watches) => set(`watches:${workspace}`, watches),
    invokes: (workspace) => get<InvokeRecord[]>(`invokes:${workspace}`, [], isInvokes),
    setInvokes: (workspace, invokes) =>
      set(
        `invokes:${workspace}`,
        invokes.filter((r) => !('pending' in r.outcome)).map((r) => ({ ...r, request: { ...r.request, transient: {} } })),
      ),
  };
}
