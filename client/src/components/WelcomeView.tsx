import { useState } from 'react';
import type { FormEvent } from 'react';
import { freeWorkspaceName, languageName, titleNamesLanguage, workspaceNameProblem } from '../state/samples.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';

/**
 * The first screen, while no workspace is open: the samples to start from, a
 * name checked as it is typed (a clash is said beside the field), and Create &
 * Run, which creates the workspace and starts its chaincode in one go. Existing
 * workspaces are listed to open.
 */
export function WelcomeView() {
  const controller = useController();
  const workspace = useStudio((s) => s.workspace);
  const samples = useStudio((s) => s.samples);
  const workspaces = useStudio((s) => s.workspaces);
  const connected = useStudio((s) => s.connection === 'open');
  const [sampleId, setSampleId] = useState<string | null>(null);
  /** The name as typed; null while the user has not typed one (a free name is suggested). */
  const [typed, setTyped] = useState<string | null>(null);
  const [refused, setRefused] = useState<{ name: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  if (workspace !== null) return null;

  const sample = samples.find((s) => s.id === sampleId) ?? samples[0];
  const name = typed ?? (sample ? freeWorkspaceName(sample, workspaces) : '');
  const problem = workspaceNameProblem(name, workspaces) ?? (refused?.name === name ? refused.message : null);
  const canCreate = connected && sample !== undefined && problem === null && !busy;

  const createAndRun = async (ev: FormEvent): Promise<void> => {
    ev.preventDefault();
    if (!canCreate) return;
    setBusy(true);
    const created = await controller.workspace.create(name, sample.id);
    setBusy(false);
    if (!created.ok) {
      setRefused({ name, message: created.message });
      return;
    }
    await controller.workspace.run();
  };

  return (
    <div className="welcome" data-testid="welcome">
      <div className="welcome-body">
        <h1>Start with a sample</h1>
        <p className="muted">
          Each workspace runs in its own sandbox: a Fabric 2.5 peer, an orderer and a channel. <strong>Create &amp; Run</strong> copies the sample, starts the
          sandbox and runs the chaincode under the debugger; its transactions then appear as forms on the right.
        </p>
        <form className="welcome-form" onSubmit={(ev) => void createAndRun(ev)}>
          <div className="welcome-samples" role="radiogroup" aria-label="Sample">
            {samples.length === 0 ? <p className="muted">{connected ? 'Loading the samples…' : 'Connecting…'}</p> : null}
            {samples.map((s) => (
              <button
                key={s.id}
                type="button"
                role="radio"
                aria-checked={s.id === sample?.id}
                className={`sample-card${s.id === sample?.id ? ' selected' : ''}`}
                data-testid="welcome-sample"
                data-sample={s.id}
                onClick={() => setSampleId(s.id)}
              >
                <span className="sample-title">{s.title}</span>
                {titleNamesLanguage(s) ? null : <span className={`lang-badge ${s.language}`}>{languageName(s.language)}</span>}
              </button>
            ))}
          </div>
          <label className="field">
            <span>Workspace name</span>
            <input
              data-testid="welcome-name"
              value={name}
              aria-invalid={problem !== null}
              aria-describedby="welcome-name-hint"
              onChange={(e) => setTyped(e.target.value.toLowerCase())}
            />
            <small id="welcome-name-hint" className={problem ? 'hint error' : 'hint'} data-testid="welcome-name-hint" data-problem={problem !== null}>
              {problem ?? 'Lowercase letters, digits and dashes.'}
            </small>
          </label>
          <div className="welcome-actions">
            <button type="submit" className="btn primary" data-testid="welcome-create-run" disabled={!canCreate}>
              {busy ? 'Creating…' : 'Create & Run'}
            </button>
          </div>
        </form>
        {workspaces.length > 0 ? (
          <div className="welcome-open">
            <h2>Or open a workspace</h2>
            <ul>
              {workspaces.map((w) => (
                <li key={w.id}>
                  <button className="link-btn" data-testid="welcome-open" data-workspace={w.id} onClick={() => void controller.workspace.open(w.id)}>
                    {w.id}
                  </button>
                  <span className="muted small">{languageName(w.language)}</span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </div>
  );
}
