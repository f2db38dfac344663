import { useEffect, useRef, useState } from 'react';
import type { editor } from 'monaco-editor/editor/editor.api';
import type { SourceBreakpoint } from '../../../protocol/messages.ts';
import { loadMonaco } from '../monaco/loadMonaco.ts';
import type { Monaco } from '../monaco/loadMonaco.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { BreakpointEditor } from './BreakpointEditor.tsx';

/**
 * The Monaco editor showing the active tab's model. Owns the editor-side
 * debugger UI: breakpoint dots in the glyph margin, the paused line, and
 * Ctrl/Cmd+S.
 */
export function CodeEditor() {
  const controller = useController();
  const { store } = controller.deps;
  const host = useRef<HTMLDivElement>(null);
  const [instance, setInstance] = useState<{ monaco: Monaco; editor: editor.IStandaloneCodeEditor } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [bpEditor, setBpEditor] = useState<{ path: string; line: number; x: number; y: number } | null>(null);
  const viewStates = useRef(new Map<string, editor.ICodeEditorViewState | null>());
  const shownPath = useRef<string | null>(null);
  const revealed = useRef<object | null>(null);

  const activeTab = useStudio((s) => s.activeTab);
  const tabs = useStudio((s) => s.tabs);
  const breakpoints = useStudio((s) => s.breakpoints);
  const breakpointResults = useStudio((s) => s.breakpointResults);
  const paused = useStudio((s) => s.paused);
  const stack = useStudio((s) => s.stack);
  const selectedFrameId = useStudio((s) => s.selectedFrameId);
  const reveal = useStudio((s) => s.reveal);

  useEffect(() => {
    let disposed = false;
    let created: editor.IStandaloneCodeEditor | undefined;
    loadMonaco().then(
      (monaco) => {
        if (disposed || !host.current) return;
        created = monaco.editor.create(host.current, {
          model: null,
          theme: 'studio-dark',
          automaticLayout: true,
          glyphMargin: true,
          fontSize: 13,
          lineHeight: 19,
          fontFamily: "'JetBrains Mono', 'Cascadia Code', 'Fira Code', Menlo, Consolas, monospace",
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          renderLineHighlight: 'all',
          tabSize: 4,
          fixedOverflowWidgets: true,
        });
        setInstance({ monaco, editor: created });
      },
      (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      disposed = true;
      created?.dispose();
    };
  }, []);

  // Ctrl/Cmd+S and the glyph margin: registered once per editor, reading the store when they fire.
  useEffect(() => {
    if (!instance) return undefined;
    const { monaco, editor: ed } = instance;
    const pathOfEditor = (): string | null => shownPath.current;
    ed.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => {
      const path = pathOfEditor();
      if (path) void controller.workspace.save(path);
    });
    const glyph = monaco.editor.MouseTargetType.GUTTER_GLYPH_MARGIN;
    const down = ed.onMouseDown((e) => {
      const path = pathOfEditor();
      const line = e.target.position?.lineNumber;
      if (!path || !line || e.target.type !== glyph || !e.event.leftButton) return;
      controller.debug.toggleBreakpoint(path, line);
    });
    const menu = ed.onContextMenu((e) => {
      const path = pathOfEditor();
      const line = e.target.position?.lineNumber;
      if (!path || !line || e.target.type !== glyph) return;
      e.event.preventDefault();
      setBpEditor({ path, line, x: e.event.posx, y: e.event.posy });
    });
    return () => {
      down.dispose();
      menu.dispose();
    };
  }, [instance, controller]);

  // Show the active tab's model, keeping each file's scroll and cursor.
  useEffect(() => {
    if (!instance) return;
    const { editor: ed } = instance;
    const previous = shownPath.current;
    if (previous === activeTab) return;
    if (previous) viewStates.current.set(previous, ed.saveViewState());
    const model = activeTab ? controller.files.model(activeTab) : undefined;
    ed.setModel(model ?? null);
    shownPath.current = model && activeTab ? activeTab : null;
    if (model && activeTab) {
      const state = viewStates.current.get(activeTab);
      if (state) ed.restoreViewState(state);
      ed.focus();
    }
  }, [instance, activeTab, tabs, controller]);

  // Jump to a line asked for by Problems, the call stack or a stop.
  useEffect(() => {
    if (!instance || !reveal || reveal.path !== activeTab || shownPath.current !== activeTab) return;
    // Once each: the tabs change as the user types, and must not pull the cursor back here.
    if (revealed.current === reveal) return;
    revealed.current = reveal;
    const { editor: ed, monaco } = instance;
    ed.setPosition({ lineNumber: reveal.line, column: Math.max(1, reveal.column) });
    ed.revealLineInCenterIfOutsideViewport(reveal.line, monaco.editor.ScrollType.Immediate);
    ed.focus();
    // A paused column can be far to the right: the start of the lines says
    // more than the column does, so the editor never scrolls sideways to it.
    ed.setScrollLeft(0, monaco.editor.ScrollType.Immediate);
  }, [instance, reveal, activeTab, tabs]);

  // Breakpoint dots and the paused line.
  const decorations = useRef<editor.IEditorDecorationsCollection | null>(null);
  useEffect(() => {
    if (!instance) return;
    const { monaco, editor: ed } = instance;
    decorations.current ??= ed.createDecorationsCollection();
    const path = shownPath.current;
    if (!path) {
      decorations.current.clear();
      return;
    }
    const results = breakpointResults[path] ?? [];
    const list: editor.IModelDeltaDecoration[] = (breakpoints[path] ?? []).map((bp: SourceBreakpoint) => {
      const result = results.find((r) => r.line === bp.line);
      const disabled = bp.enabled === false;
      const unverified = !disabled && result !== undefined && !result.verified;
      const kind = bp.logMessage ? 'log' : bp.condition ? 'conditional' : 'plain';
      const hover = bp.logMessage ? `Log: ${bp.logMessage}` : bp.condition ? `Condition: ${bp.condition}` : 'Breakpoint';
      return {
        range: new monaco.Range(bp.line, 1, bp.line, 1),
        options: {
          glyphMarginClassName: `bp-glyph bp-${kind}${unverified ? ' bp-unverified' : ''}${disabled ? ' bp-disabled' : ''}`,
          glyphMarginHoverMessage: { value: disabled ? `${hover} — disabled` : unverified && result?.message ? `${hover} — ${result.message}` : hover },
          stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
        },
      };
    });
    const frame = stack.find((f) => f.id === selectedFrameId) ?? paused?.frame;
    if (paused && frame?.source?.path === path) {
      const top = frame.id === (stack[0]?.id ?? paused.frame?.id);
      list.push({
        range: new monaco.Range(frame.line, 1, frame.line, 1),
        options: {
          isWholeLine: true,
          className: top ? 'paused-line' : 'paused-line frame-line',
          glyphMarginClassName: top ? 'paused-glyph' : 'paused-glyph frame-glyph',
          stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
        },
      });
    }
    decorations.current.set(list);
  }, [instance, activeTab, tabs, breakpoints, breakpointResults, paused, stack, selectedFrameId]);

  // Ctrl/Cmd+S outside the editor saves too, instead of the browser's "save page".
  useEffect(() => {
    const onKey = (ev: KeyboardEvent): void => {
      if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 's') {
        ev.preventDefault();
        const path = store.getState().activeTab;
        if (path) void controller.workspace.save(path);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller, store]);

  const bpAtEditor = bpEditor ? (breakpoints[bpEditor.path] ?? []).find((b) => b.line === bpEditor.line) : undefined;

  return (
    <div className="editor-area">
      <div ref={host} className="monaco-host" data-testid="editor" data-path={activeTab ?? ''} />
      {!activeTab ? (
        <div className="editor-empty">
          <p>Open a file from the Explorer.</p>
          <p className="keys">
            <kbd>Ctrl</kbd>+<kbd>S</kbd> save · click the gutter to set a breakpoint · right-click it for a condition
          </p>
        </div>
      ) : null}
      {loadError ? <div className="editor-empty error">The editor failed to load: {loadError}</div> : null}
      {bpEditor ? (
        <BreakpointEditor
          x={bpEditor.x}
          y={bpEditor.y}
          line={bpEditor.line}
          existing={bpAtEditor}
          onSave={(bp) => {
            controller.debug.setBreakpoint(bpEditor.path, bp);
            setBpEditor(null);
          }}
          onRemove={() => {
            controller.debug.removeBreakpoint(bpEditor.path, bpEditor.line);
            setBpEditor(null);
          }}
          onClose={() => setBpEditor(null)}
        />
      ) : null}
    </div>
  );
}
