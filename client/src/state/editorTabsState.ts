/**
 * The editor's tabs and what is keyed by a file's path (breakpoints and their
 * results): opening, activating, closing, dirtiness, and a file or folder
 * moved or deleted in the tree.
 */
import type { StudioState } from './studioState.ts';
import { isUnderPath } from './fileTree.ts';

export type EditorTabsAction =
  | { type: 'tabOpened'; path: string; dirty: boolean; activate: boolean }
  | { type: 'tabActivated'; path: string }
  | { type: 'tabClosed'; path: string }
  | { type: 'dirty'; path: string; dirty: boolean }
  | { type: 'pathMoved'; from: string; to: string }
  | { type: 'pathDeleted'; path: string };

type EditorTabsSlice = Pick<StudioState, 'tabs' | 'activeTab' | 'breakpoints' | 'breakpointResults'>;

const movePath = (path: string, from: string, to: string): string =>
  isUnderPath(path, from) ? to + path.slice(from.length) : path;

const moveKeys = <V>(record: Record<string, V>, from: string, to: string): Record<string, V> =>
  Object.fromEntries(Object.entries(record).map(([path, value]) => [movePath(path, from, to), value]));

const dropKeys = <V>(record: Record<string, V>, root: string): Record<string, V> =>
  Object.fromEntries(Object.entries(record).filter(([path]) => !isUnderPath(path, root)));

/** Applies one tab or path action to the state. Pure: returns the same object when nothing changed. */
export function editorTabsReducer<S extends EditorTabsSlice>(state: S, action: EditorTabsAction): S {
  switch (action.type) {
    case 'tabOpened': {
      const exists = state.tabs.some((t) => t.path === action.path);
      const tabs = exists
        ? state.tabs.map((t) => (t.path === action.path ? { ...t, dirty: t.dirty || action.dirty } : t))
        : [...state.tabs, { path: action.path, dirty: action.dirty }];
      return { ...state, tabs, activeTab: action.activate || state.activeTab === null ? action.path : state.activeTab };
    }
    case 'tabActivated':
      return state.activeTab === action.path ? state : { ...state, activeTab: action.path };
    case 'tabClosed': {
      const index = state.tabs.findIndex((t) => t.path === action.path);
      if (index < 0) return state;
      const tabs = state.tabs.filter((t) => t.path !== action.path);
      const neighbour = tabs[Math.min(index, tabs.length - 1)];
      const activeTab = state.activeTab === action.path ? (neighbour?.path ?? null) : state.activeTab;
      return { ...state, tabs, activeTab };
    }
    case 'dirty': {
      const tab = state.tabs.find((t) => t.path === action.path);
      if (!tab || tab.dirty === action.dirty) return state;
      return { ...state, tabs: state.tabs.map((t) => (t === tab ? { ...t, dirty: action.dirty } : t)) };
    }
    case 'pathMoved':
      return {
        ...state,
        tabs: state.tabs.map((t) => ({ ...t, path: movePath(t.path, action.from, action.to) })),
        activeTab: state.activeTab === null ? null : movePath(state.activeTab, action.from, action.to),
        breakpoints: moveKeys(state.breakpoints, action.from, action.to),
        breakpointResults: moveKeys(state.breakpointResults, action.from, action.to),
      };
    case 'pathDeleted': {
      let next = state;
      for (const tab of state.tabs) {
        if (isUnderPath(tab.path, action.path)) next = editorTabsReducer(next, { type: 'tabClosed', path: tab.path });
      }
      return {
        ...next,
        breakpoints: dropKeys(next.breakpoints, action.path),
        breakpointResults: dropKeys(next.breakpointResults, action.path),
      };
    }
  }
}
