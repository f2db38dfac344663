import type { editor } from 'monaco-editor/editor/editor.api';
import type { Diagnostic, FileEntry } from '../../../protocol/messages.ts';
import { unsavedEditPersistDelayMs } from '../config.ts';
import { loadMonaco } from '../monaco/loadMonaco.ts';
import type { Monaco } from '../monaco/loadMonaco.ts';
import { isUnderPath } from '../state/fileTree.ts';
import { currentWorkspace, reportError } from './deps.ts';
import type { StudioDeps } from './deps.ts';

type TextModel = editor.ITextModel;

/** Files whose text is loaded into Monaco up front, so imports between them resolve. */
const sourceFilePattern = /\.(ts|tsx|js|mjs|cjs|json|md|yaml|yml|txt)$/i;
const modelsLoadedUpFrontMax = 300;
const markerOwner = 'chaincode-studio';

/** The Monaco URI of a workspace path. */
export function uriOfPath(path: string): string {
  return `file:///${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** The workspace path of a Monaco URI, or undefined for one that is not a workspace file. */
export function pathOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:///') || uri.startsWith('file:///node_modules/')) return undefined;
  return uri.slice('file:///'.length).split('/').map(decodeURIComponent).join('/');
}

function languageOf(path: string): string {
  if (/\.(ts|tsx|mts|cts)$/i.test(path)) return 'typescript';
  if (/\.(js|jsx|mjs|cjs)$/i.test(path)) return 'javascript';
  if (/\.json$/i.test(path)) return 'json';
  if (/\.go$/i.test(path)) return 'go';
  return 'plaintext';
}

interface FileModel {
  model: TextModel;
  /** Monaco's alternative version id at the last save; equal means not dirty. */
  savedVersionId: number;
  /** The server's version of the text the model was last saved as or read from. */
  serverVersion: string;
  persistTimer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * One Monaco model per workspace file (uri `file:///<path>`): reads, saves,
 * dirty tracking, unsaved text kept in localStorage, and problem markers.
 */
export interface FileModels {
  /**
   * Loads the workspace's files into models, restores unsaved text into dirty
   * tabs, and reopens the tabs that were open last time.
   */
  load(files: readonly FileEntry[], lastTabs: { paths: readonly string[]; active: string | null }): Promise<void>;
  /** Writes pending unsaved text to storage now (the page is going away). */
  flushUnsaved(): void;
  /** Opens (and reads if needed) a file in a tab; optionally puts the cursor at a line. */
  open(path: string, at?: { line: number; column: number }): Promise<void>;
  /** The model of a path, once loaded. */
  model(path: string): TextModel | undefined;
  save(path: string): Promise<boolean>;
  /** Saves every dirty file; true when all were saved. */
  saveAll(): Promise<boolean>;
  /** Closes a tab; a dirty file asks first, and keeps its text if the user says no. */
  close(path: string, confirmDiscard: (path: string) => boolean): void;
  /** Follows a change on the server (from another tab, or a rename or delete here). */
  serverChanged(path: string, change: 'written' | 'created' | 'deleted' | 'renamed', version?: string, to?: string): Promise<void>;
  showDiagnostics(diagnostics: readonly Diagnostic[]): void;
  /** Drops every model (when switching workspace). */
  clear(): void;
}

/** Creates the model registry over the shared deps. */
export function createFileModels(deps: StudioDeps): FileModels {
  const { rpc, store, unsaved } = deps;
  const models = new Map<string, FileModel>();
  const reading = new Map<string, Promise<FileModel | undefined>>();

  const isDirty = (fm: FileModel): boolean => fm.model.getAlternativeVersionId() !== fm.savedVersionId;

  const persistSoon = (path: string, fm: FileModel): void => {
    clearTimeout(fm.persistTimer);
    fm.persistTimer = setTimeout(() => {
      fm.persistTimer = undefined;
      const workspace = store.getState().workspace;
      if (!workspace || models.get(path) !== fm) return;
      if (isDirty(fm)) {
        if (!unsaved.save(workspace, path, fm.model.getValue())) {
          store.dispatch({ type: 'notice', kind: 'error', text: `Browser storage is full: unsaved edits of ${path} are not kept across reloads. Save soon.` });
        }
      } else {
        unsaved.discard(workspace, path);
      }
    }, unsavedEditPersistDelayMs);
  };

  const applyMarkers = (monaco: Monaco, path: string, model: TextModel): void => {
    const severities = { error: monaco.MarkerSeverity.Error, warning: monaco.MarkerSeverity.Warning, info: monaco.MarkerSeverity.Info };
    const markers = store
      .getState()
      .diagnostics.filter((d) => d.file === path)
      .map((d) => ({
        severity: severities[d.severity],
        message: d.message,
        code: d.code,
        source: 'tsc',
        startLineNumber: d.line,
        startColumn: d.column,
        endLineNumber: d.endLine ?? d.line,
        endColumn: d.endColumn ?? model.getLineMaxColumn(Math.min(d.endLine ?? d.line, model.getLineCount())),
      }));
    monaco.editor.setModelMarkers(model, markerOwner, markers);
  };

  const createModel = (monaco: Monaco, path: string, content: string, version: string): FileModel => {
    const uri = monaco.Uri.parse(uriOfPath(path));
    monaco.editor.getModel(uri)?.dispose();
    const model = monaco.editor.createModel(content, languageOf(path), uri);
    const fm: FileModel = { model, savedVersionId: model.getAlternativeVersionId(), serverVersion: version, persistTimer: undefined };
    model.onDidChangeContent(() => {
      if (models.get(path) !== fm) return;
      store.dispatch({ type: 'dirty', path, dirty: isDirty(fm) });
      persistSoon(path, fm);
    });
    models.set(path, fm);
    applyMarkers(monaco, path, model);
    return fm;
  };

  /** Puts the user's unsaved text over the server's, as one undoable edit. */
  const restoreUnsaved = (workspace: string, path: string, fm: FileModel): boolean => {
    const edit = unsaved.get(workspace, path);
    if (!edit) return false;
    if (edit.content === fm.model.getValue()) {
      unsaved.discard(workspace, path);
      return false;
    }
    fm.model.pushEditOperations([], [{ range: fm.model.getFullModelRange(), text: edit.content }], () => null);
    return true;
  };

  const read = (path: string): Promise<FileModel | undefined> => {
    const known = models.get(path);
    if (known) return Promise.resolve(known);
    const inFlight = reading.get(path);
    if (inFlight) return inFlight;
    const workspace = currentWorkspace(store);
    const promise = (async () => {
      const monaco = await loadMonaco();
      try {
        const file = await rpc.request('file/read', { workspace, path });
        if (store.getState().workspace !== workspace) return undefined;
        return models.get(path) ?? createModel(monaco, path, file.content, file.version);
      } catch (err) {
        // A file typed but never saved (or deleted meanwhile) still opens from the browser's copy.
        const edit = unsaved.get(workspace, path);
        if (!edit) throw err;
        const fm = createModel(monaco, path, '', '');
        return fm;
      }
    })().finally(() => reading.delete(path));
    reading.set(path, promise);
    return promise;
  };

  const save = async (path: string): Promise<boolean> => {
    const fm = models.get(path);
    if (!fm) return true;
    const workspace = currentWorkspace(store);
    const versionSent = fm.model.getAlternativeVersionId();
    const content = fm.model.getValue();
    try {
      const reply = await rpc.request('file/write', { workspace, path, content });
      if (models.get(path) !== fm) return true;
      fm.savedVersionId = versionSent;
      fm.serverVersion = reply.version;
      const dirty = isDirty(fm);
      if (!dirty) {
        clearTimeout(fm.persistTimer);
        unsaved.discard(workspace, path);
      }
      store.dispatch({ type: 'dirty', path, dirty });
      return true;
    } catch (err) {
      reportError(store, `Could not save ${path}`, err);
      return false;
    }
  };

  return {
    async load(files, lastTabs) {
      const workspace = currentWorkspace(store);
      const monaco = await loadMonaco();
      const filePaths = files.filter((f) => f.kind === 'file').map((f) => f.path);
      const wanted = filePaths.filter((p) => sourceFilePattern.test(p)).slice(0, modelsLoadedUpFrontMax);
      await Promise.all(wanted.map((path) => read(path).catch(() => undefined)));
      if (store.getState().workspace !== workspace) return;

      for (const edit of unsaved.list(workspace)) {
        const fm = models.get(edit.path) ?? (await read(edit.path).catch(() => undefined));
        if (fm && restoreUnsaved(workspace, edit.path, fm)) {
          store.dispatch({ type: 'tabOpened', path: edit.path, dirty: true, activate: false });
        }
      }
      for (const path of lastTabs.paths) {
        if (models.has(path) || filePaths.includes(path)) {
          store.dispatch({ type: 'tabOpened', path, dirty: false, activate: false });
        }
      }
      const active = lastTabs.active;
      if (active && store.getState().tabs.some((t) => t.path === active)) {
        store.dispatch({ type: 'tabActivated', path: active });
      }
      // A workspace seen for the first time opens on its contract, as an IDE opens a project on its main file.
      if (store.getState().tabs.length === 0) {
        const sources = filePaths.filter((p) => sourceFilePattern.test(p));
        const main = sources.find((p) => /contract/i.test(p)) ?? sources[0];
        if (main && (await read(main).catch(() => undefined))) store.dispatch({ type: 'tabOpened', path: main, dirty: false, activate: true });
      }
      for (const [path, fm] of models) applyMarkers(monaco, path, fm.model);
    },

    async open(path, at) {
      try {
        const fm = await read(path);
        if (!fm) return;
        store.dispatch({ type: 'tabOpened', path, dirty: isDirty(fm), activate: true });
        if (at) store.dispatch({ type: 'reveal', path, line: at.line, column: at.column });
      } catch (err) {
        reportError(store, `Could not open ${path}`, err);
      }
    },

    model: (path) => models.get(path)?.model,

    save,

    async saveAll() {
      const dirty = [...models.entries()].filter(([, fm]) => isDirty(fm)).map(([path]) => path);
      const results = await Promise.all(dirty.map(save));
      return results.every(Boolean);
    },

    close(path, confirmDiscard) {
      const fm = models.get(path);
      if (fm && isDirty(fm)) {
        if (!confirmDiscard(path)) return;
        const workspace = currentWorkspace(store);
        clearTimeout(fm.persistTimer);
        unsaved.discard(workspace, path);
        // Back to the saved text: re-read, because the model only holds the edited one.
        fm.model.dispose();
        models.delete(path);
        void read(path).catch(() => undefined);
      }
      store.dispatch({ type: 'tabClosed', path });
    },

    async serverChanged(path, change, version, to) {
      const monaco = await loadMonaco();
      const workspace = store.getState().workspace;
      if (!workspace) return;
      if (change === 'deleted') {
        for (const [p, fm] of [...models]) {
          if (!isUnderPath(p, path)) continue;
          clearTimeout(fm.persistTimer);
          fm.model.dispose();
          models.delete(p);
        }
        unsaved.discardTree(workspace, path);
        store.dispatch({ type: 'pathDeleted', path });
        return;
      }
      if (change === 'renamed' && to) {
        for (const [p, fm] of [...models]) {
          if (!isUnderPath(p, path)) continue;
          const target = to + p.slice(path.length);
          const dirty = isDirty(fm);
          const content = fm.model.getValue();
          clearTimeout(fm.persistTimer);
          fm.model.dispose();
          models.delete(p);
          const moved = createModel(monaco, target, content, fm.serverVersion);
          if (dirty) moved.savedVersionId = -1;
        }
        unsaved.move(workspace, path, to);
        store.dispatch({ type: 'pathMoved', from: path, to });
        return;
      }
      const fm = models.get(path);
      if (change !== 'written' || !fm || version === fm.serverVersion || isDirty(fm)) return;
      const file = await rpc.request('file/read', { workspace, path });
      if (models.get(path) !== fm || isDirty(fm)) return;
      if (file.content !== fm.model.getValue()) {
        fm.model.pushEditOperations([], [{ range: fm.model.getFullModelRange(), text: file.content }], () => null);
      }
      fm.savedVersionId = fm.model.getAlternativeVersionId();
      fm.serverVersion = file.version;
      store.dispatch({ type: 'dirty', path, dirty: false });
    },

    showDiagnostics(diagnostics) {
      store.dispatch({ type: 'diagnostics', diagnostics: [...diagnostics] });
      void loadMonaco().then((monaco) => {
        for (const [path, fm] of models) applyMarkers(monaco, path, fm.model);
      });
    },

    flushUnsaved() {
      const workspace = store.getState().workspace;
      if (!workspace) return;
      for (const [path, fm] of models) {
        if (fm.persistTimer === undefined) continue;
        clearTimeout(fm.persistTimer);
        fm.persistTimer = undefined;
        if (isDirty(fm)) unsaved.save(workspace, path, fm.model.getValue());
      }
    },

    clear() {
      for (const fm of models.values()) {
        clearTimeout(fm.persistTimer);
        fm.model.dispose();
      }
      models.clear();
    },
  };
}
