import { useState } from 'react';
import type { FormEvent } from 'react';
import { useController, useStudio } from '../state/StudioContext.tsx';

const namePattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The dialog that creates a workspace from a sample. */
export function CreateWorkspaceDialog({ onClose }: { onClose: () => void }) {
  const controller = useController();
  const samples = useStudio((s) => s.samples);
  const workspaces = useStudio((s) => s.workspaces);
  const [sample, setSample] = useState(samples[0]?.id ?? '');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<{ name: string; message: string } | null>(null);
  const chosen = sample || samples[0]?.id || '';
  const clash = workspaces.some((w) => w.id === name) ? `A workspace named ${name} already exists: pick another name.` : refused?.name === name ? refused.message : null;
  const nameOk = namePattern.test(name) && clash === null;

  const submit = async (ev: FormEvent): Promise<void> => {
    ev.preventDefault();
    if (!nameOk || !chosen) return;
    setBusy(true);
    const created = await controller.workspace.create(name, chosen);
    setBusy(false);
    if (created.ok) onClose();
    else setRefused({ name, message: created.message });
  };

  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <form className="modal" data-testid="create-workspace-dialog" onMouseDown={(e) => e.stopPropagation()} onSubmit={(e) => void submit(e)}>
        <h2>New workspace</h2>
        <label className="field">
          <span>Sample</span>
          <select data-testid="sample-select" value={chosen} onChange={(e) => setSample(e.target.value)}>
            {samples.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} ({s.language})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Name</span>
          <input
            data-testid="workspace-name-input"
            autoFocus
            value={name}
            placeholder="my-chaincode"
            onChange={(e) => setName(e.target.value.toLowerCase())}
          />
          {clash ? (
            <small className="hint error" data-testid="workspace-name-error" role="alert">
              {clash}
            </small>
          ) : (
            <small className={name && !nameOk ? 'hint error' : 'hint'}>Lowercase letters, digits and dashes.</small>
          )}
        </label>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" data-testid="create-workspace-submit" disabled={!nameOk || !chosen || busy}>
            {busy ? 'Creating…' : 'Create'}
          </button>
        </div>
      </form>
    </div>
  );
}
