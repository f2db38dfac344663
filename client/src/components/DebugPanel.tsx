import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { Scope, StackFrame } from '../../../protocol/messages.ts';
import { describeError } from '../rpc/rpcError.ts';
import type { ExceptionFilter } from '../state/studioState.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { BreakpointList } from './BreakpointList.tsx';
import { Icon } from './Icon.tsx';
import type { IconName } from './Icon.tsx';
import { useRovingList, type RovingItemProps } from './useRovingList.ts';
import { VariableTree } from './VariableTree.tsx';

const stepButtons: { kind: 'continue' | 'next' | 'stepIn' | 'stepOut'; icon: IconName; label: string; testId: string; key: string }[] = [
  { kind: 'continue', icon: 'continue', label: 'Continue', testId: 'debug-continue', key: 'F5' },
  { kind: 'next', icon: 'stepOver', label: 'Step Over', testId: 'debug-step-over', key: 'F10' },
  { kind: 'stepIn', icon: 'stepInto', label: 'Step Into', testId: 'debug-step-into', key: 'F11' },
  { kind: 'stepOut', icon: 'stepOut', label: 'Step Out', testId: 'debug-step-out', key: 'Shift+F11' },
];

/** Debugger controls, call stack, scopes and watch expressions. */
export function DebugPanel() {
  const controller = useController();
  const paused = useStudio((s) => s.paused);
  const attached = useStudio((s) => s.debuggerAttached);
  const stack = useStudio((s) => s.stack);
  const selectedFrameId = useStudio((s) => s.selectedFrameId);
  const frameKeys = useRovingList(
    stack.length,
    (i) => {
      const frame = stack[i];
      if (frame && frame.presentationHint !== 'label') controller.debug.selectFrame(frame.id);
    },
    stack.findIndex((f) => f.id === selectedFrameId),
  );
  const filters = useStudio((s) => s.exceptionFilters);
  // Each stop gets a new number, so scopes and their expanded children are fetched afresh.
  const stops = useRef<{ paused: unknown; count: number }>({ paused: null, count: 0 });
  if (stops.current.paused !== paused) stops.current = { paused, count: stops.current.count + 1 };
  const stopCount = stops.current.count;

  useEffect(() => {
    const onKey = (ev: KeyboardEvent): void => {
      const kind =
        ev.key === 'F5' ? 'continue' : ev.key === 'F10' ? 'next' : ev.key === 'F11' ? (ev.shiftKey ? 'stepOut' : 'stepIn') : undefined;
      if (!kind || !controller.deps.store.getState().paused) return;
      ev.preventDefault();
      void controller.debug.step(kind);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller]);

  const toggleFilter = (filter: ExceptionFilter, on: boolean): void => {
    const next = on ? [...new Set([...filters, filter])] : filters.filter((f) => f !== filter);
    void controller.debug.setExceptionFilters(next);
  };

  return (
    <div className="debug-panel" data-testid="debug-panel">
      <div className="debug-controls">
        {stepButtons.map((b) => (
          <button
            key={b.kind}
            className="icon-btn large"
            data-testid={b.testId}
            title={`${b.label} (${b.key})`}
            disabled={!paused}
            onClick={() => void controller.debug.step(b.kind)}
          >
            <Icon name={b.icon} />
          </button>
        ))}
        <button className="icon-btn large" data-testid="debug-pause" title="Pause" disabled={!attached || paused !== null} onClick={() => void controller.debug.step('pause')}>
          <Icon name="pause" />
        </button>
        <span className="toolbar-spacer" />
        <span className={`debug-state ${paused ? 'paused' : attached ? 'attached' : ''}`} data-testid="debugger-state">
          {paused ? 'paused' : attached ? 'attached' : 'not attached'}
        </span>
      </div>
      <div className="exception-toggles">
        <label className="toggle">
          <input type="checkbox" data-testid="exception-uncaught" checked={filters.includes('uncaught')} onChange={(e) => toggleFilter('uncaught', e.target.checked)} />
          Uncaught exceptions
        </label>
        <label className="toggle">
          <input type="checkbox" data-testid="exception-all" checked={filters.includes('all')} onChange={(e) => toggleFilter('all', e.target.checked)} />
          Caught exceptions too
        </label>
      </div>
      <DebugSection title="Call Stack" testId="call-stack">
        {stack.length === 0 ? <p className="empty small">{paused ? 'Loading…' : 'Not paused.'}</p> : null}
        {stack.length > 0 ? (
          <div role="listbox" aria-label="Call stack">
            {stack.map((frame, i) => (
              <FrameRow key={frame.id} frame={frame} selected={frame.id === selectedFrameId} onSelect={() => controller.debug.selectFrame(frame.id)} keys={frameKeys(i)} />
            ))}
          </div>
        ) : null}
      </DebugSection>
      <DebugSection title="Variables" testId="scopes">
        {paused && selectedFrameId !== null ? <Scopes key={`${stopCount}:${selectedFrameId}`} frameId={selectedFrameId} /> : <p className="empty small">Not paused.</p>}
      </DebugSection>
      <DebugSection title="Watch" testId="watch">
        <Watches />
      </DebugSection>
      <DebugSection title="Breakpoints" testId="breakpoints">
        <BreakpointList />
      </DebugSection>
    </div>
  );
}

function DebugSection({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  const [open, setOpen] = useState(true);
  return (
    <section className="debug-section" data-testid={testId}>
      <button className="section-header clickable" onClick={() => setOpen(!open)}>
        <Icon name={open ? 'chevronDown' : 'chevronRight'} />
        {title}
      </button>
      {open ? <div className="debug-section-body">{children}</div> : null}
    </section>
  );
}

function FrameRow({ frame, selected, onSelect, keys }: { frame: StackFrame; selected: boolean; onSelect: () => void; keys: RovingItemProps }) {
  const library = frame.source?.presentationHint === 'deemphasize' || frame.presentationHint === 'subtle' || !frame.source?.path;
  const label = frame.presentationHint === 'label';
  return (
    <div
      className={`frame-row${selected ? ' selected' : ''}${library ? ' library' : ''}${label ? ' label' : ''}`}
      {...keys}
      role="option"
      aria-selected={selected}
      aria-disabled={label || undefined}
      data-testid="stack-frame"
      data-library={library}
      data-path={frame.source?.path ?? ''}
      data-line={frame.line}
      onClick={label ? undefined : onSelect}
      title={frame.source?.path ?? frame.source?.name}
    >
      <span className="frame-name">{frame.name}</span>
      {label ? null : (
        <span className="frame-location">
          {frame.source?.name ?? '?'}:{frame.line}
        </span>
      )}
    </div>
  );
}

function Scopes({ frameId }: { frameId: number }) {
  const controller = useController();
  const [scopes, setScopes] = useState<Scope[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setScopes(null);
    setError(null);
    controller.debug.scopes(frameId).then(
      (s) => live && setScopes(s),
      (err: unknown) => live && setError(describeError(err).message),
    );
    return () => {
      live = false;
    };
  }, [controller, frameId]);
  if (error) return <p className="error small">{error}</p>;
  if (!scopes) return <p className="empty small">Loading…</p>;
  return (
    <div className="scopes">
      {scopes.map((scope, i) => (
        <VariableTree
          key={`${frameId}:${scope.name}`}
          name={scope.name}
          value=""
          variablesReference={scope.variablesReference}
          depth={0}
          initiallyOpen={i === 0 && !scope.expensive}
          isScope
        />
      ))}
    </div>
  );
}

function Watches() {
  const controller = useController();
  const watches = useStudio((s) => s.watches);
  const paused = useStudio((s) => s.paused);
  const frameId = useStudio((s) => s.selectedFrameId);
  const [input, setInput] = useState('');
  const [values, setValues] = useState<Record<string, { result: string; variablesReference: number } | { error: string }>>({});

  useEffect(() => {
    let live = true;
    if (!paused) {
      setValues({});
      return undefined;
    }
    void Promise.all(
      watches.map(async (expression) => {
        try {
          const reply = await controller.debug.evaluate(expression, 'watch');
          return [expression, { result: reply.result, variablesReference: reply.variablesReference }] as const;
        } catch (err) {
          return [expression, { error: describeError(err).message }] as const;
        }
      }),
    ).then((entries) => live && setValues(Object.fromEntries(entries)));
    return () => {
      live = false;
    };
  }, [controller, watches, paused, frameId]);

  return (
    <div className="watches">
      {watches.map((expression) => {
        const value = values[expression];
        return (
          <div key={expression} className="watch-item" data-testid="watch-item" data-expression={expression}>
            {value && 'result' in value && value.variablesReference > 0 ? (
              <VariableTree name={expression} value={value.result} variablesReference={value.variablesReference} depth={0} initiallyOpen={false} />
            ) : (
              <div className="variable-row">
                <span className="var-name">{expression}</span>
                <span className={`var-value${value && 'error' in value ? ' error' : ''}`} data-testid="watch-value">
                  {!paused ? 'not available' : !value ? '…' : 'error' in value ? value.error : value.result}
                </span>
              </div>
            )}
            <button className="icon-btn" title="Remove" onClick={() => controller.debug.setWatches(watches.filter((w) => w !== expression))}>
              <Icon name="close" />
            </button>
          </div>
        );
      })}
      <input
        className="watch-input"
        data-testid="watch-input"
        placeholder="Add expression"
        value={input}
        onChange={(e) => setInput(e.target.value)}
        onKeyDown={(e) => {
          const expression = input.trim();
          if (e.key === 'Enter' && expression) {
            controller.debug.setWatches([...watches.filter((w) => w !== expression), expression]);
            setInput('');
          }
        }}
      />
    </div>
  );
}
