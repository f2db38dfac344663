import { useEffect, useState } from 'react';
import type { InvokeTestRunResult } from '../../../protocol/invokeTests.ts';
import { describeError } from '../rpc/rpcError.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { stepsFromHistory } from './testSteps.ts';

/**
 * Invokes kept as tests: "Save as test" writes the history as
 * `tests/<name>.invokes.json`; "Run tests" replays every test file on a
 * throwaway sandbox and lists what failed, with the diff.
 */
export function InvokeTestsBar() {
  const controller = useController();
  const workspace = useStudio((s) => s.workspace);
  const invokes = useStudio((s) => s.invokes);
  const namespace = useStudio((s) => s.status?.chaincodeName);
  const [name, setName] = useState('history');
  const [busy, setBusy] = useState<'save' | 'run' | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [run, setRun] = useState<InvokeTestRunResult | null>(null);
  const { rpc } = controller.deps;
  // While the tests run, their steps (sandbox start, each file) replace the message.
  useEffect(
    () =>
      busy === 'run'
        ? rpc.on('sandbox/progress', (p) => {
            if (p.workspace === workspace && p.step.startsWith('tests:')) setMessage(p.message);
          })
        : undefined,
    [rpc, workspace, busy],
  );
  if (!workspace) return null;
  const steps = stepsFromHistory(invokes, namespace);

  const act = async (kind: 'save' | 'run') => {
    setBusy(kind);
    setMessage(kind === 'run' ? 'Running the tests on a test sandbox…' : null);
    try {
      if (kind === 'save') {
        const saved = await rpc.request('tests/save', { workspace, name, invokes: steps });
        setMessage(`Saved ${saved.path}`);
      } else {
        const result = await rpc.request('tests/run', { workspace });
        setRun(result);
        setMessage(null);
      }
    } catch (err) {
      const { code, message: text } = describeError(err);
      setMessage(`${text} (${code})`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="invoke-tests" data-testid="invoke-tests">
      <div className="subhead">Tests</div>
      <div className="row">
        <input aria-label="Test name" data-testid="tests-name" value={name} onChange={(e) => setName(e.target.value)} />
        <button className="btn" data-testid="tests-save" disabled={busy !== null || steps.length === 0 || name.trim() === ''} onClick={() => void act('save')}>
          Save as test
        </button>
        <button className="btn" data-testid="tests-run" disabled={busy !== null} onClick={() => void act('run')}>
          Run tests
        </button>
      </div>
      {message ? <p className="hint" data-testid="tests-message">{message}</p> : null}
      {run ? (
        <div data-testid="tests-results">
          <p className={`hint${run.passed ? '' : ' error'}`}>
            {run.counts.files === 0 ? 'No test files in tests/.' : `${run.passed ? 'Passed' : 'Failed'}: ${run.counts.passed} passed, ${run.counts.failed} failed in ${run.counts.files} files`}
          </p>
          {run.files.map((f) => (
            <div key={f.file} data-testid="tests-file" data-passed={f.passed}>
              <div className="small">{f.passed ? '✓' : '✗'} {f.file}</div>
              {f.error ? <pre className="small error">{f.error}</pre> : null}
              {f.invokes.filter((c) => !c.passed).map((c) => (
                <pre key={c.index} className="small error" data-testid="tests-diff">{`${c.index + 1}. ${c.name}\n${c.diff.join('\n')}`}</pre>
              ))}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
