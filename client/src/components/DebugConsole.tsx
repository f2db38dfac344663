import { useEffect, useRef, useState } from 'react';
import { describeError } from '../rpc/rpcError.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

/** The chaincode's console output and a REPL that evaluates in the paused frame. */
export function DebugConsole() {
  const controller = useController();
  const { store } = controller.deps;
  const entries = useStudio((s) => s.consoleEntries);
  const paused = useStudio((s) => s.paused !== null);
  const [input, setInput] = useState('');
  const [history, setHistory] = useState<string[]>([]);
  const [cursor, setCursor] = useState(-1);
  const body = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (body.current) body.current.scrollTop = body.current.scrollHeight;
  }, [entries]);

  const submit = async (): Promise<void> => {
    const expression = input.trim();
    if (!expression) return;
    setInput('');
    setHistory((h) => [expression, ...h.filter((x) => x !== expression)].slice(0, 50));
    setCursor(-1);
    store.dispatch({ type: 'console', kind: 'input', text: expression });
    try {
      const reply = await controller.debug.evaluate(expression, 'repl');
      store.dispatch({ type: 'console', kind: 'result', text: reply.result });
    } catch (err) {
      const { code, message } = describeError(err);
      store.dispatch({ type: 'console', kind: 'error', text: `${message} (${code})` });
    }
  };

  return (
    <div className="debug-console">
      <div className="console-body" ref={body} data-testid="console-output">
        {entries.map((e) => (
          <div key={e.id} className={`console-entry ${e.kind}`} data-testid="console-entry" data-kind={e.kind}>
            {e.kind === 'input' ? <span className="console-prompt">›</span> : null}
            <span>{e.text}</span>
          </div>
        ))}
      </div>
      <div className="console-input-row">
        <span className="console-prompt">›</span>
        <input
          data-testid="console-input"
          value={input}
          placeholder={paused ? 'Evaluate in the paused frame' : 'Evaluate (pause the chaincode to see locals)'}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void submit();
            if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
              e.preventDefault();
              const next = Math.max(-1, Math.min(history.length - 1, cursor + (e.key === 'ArrowUp' ? 1 : -1)));
              setCursor(next);
              setInput(next < 0 ? '' : (history[next] ?? ''));
            }
          }}
        />
        <button className="icon-btn" title="Clear console" data-testid="console-clear" onClick={() => store.dispatch({ type: 'consoleCleared' })}>
          <Icon name="clear" />
        </button>
      </div>
    </div>
  );
}
