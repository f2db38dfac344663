import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import type { StudioController } from '../controller/studioController.ts';
import type { StudioState } from './studioState.ts';

const ControllerContext = createContext<StudioController | null>(null);

/** Makes the controller (and through it the store) available to every component. */
export function StudioProvider({ controller, children }: { controller: StudioController; children: ReactNode }) {
  return <ControllerContext.Provider value={controller}>{children}</ControllerContext.Provider>;
}

/** The controller: actions the UI can take. */
export function useController(): StudioController {
  const controller = useContext(ControllerContext);
  if (!controller) throw new Error('useController outside StudioProvider');
  return controller;
}

/**
 * A slice of the state; the component re-renders only when it changes. The
 * selector must return a value from the state (or a primitive), not a new object.
 */
export function useStudio<T>(selector: (state: StudioState) => T): T {
  const { store } = useController().deps;
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}
