import type * as MonacoApi from 'monaco-editor/editor/editor.api';
import type { DependencyTypes } from '../../../protocol/messages.ts';

/** The Monaco API as set up for Chaincode Studio. */
export type Monaco = typeof MonacoApi;

let loading: Promise<Monaco> | undefined;

/** Loads Monaco (see monacoSetup.ts) once; every caller gets the same instance. */
export function loadMonaco(): Promise<Monaco> {
  loading ??= import('./monacoSetup.ts').then((m) => m.monaco);
  return loading;
}

/** Hands the open workspace's installed package declarations to the editor (see monacoSetup.ts). */
export async function applyDependencyTypes(types: DependencyTypes | undefined): Promise<void> {
  await loadMonaco();
  (await import('./monacoSetup.ts')).setDependencyTypes(types);
}
