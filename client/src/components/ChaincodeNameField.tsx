import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { chaincodeNameProblem } from '../../../protocol/fabric.ts';
import type { WorkspaceSettings } from '../../../protocol/messages.ts';
import { describeError } from '../rpc/rpcError.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';

const sourceWords: Record<WorkspaceSettings['source'], string> = {
  'studio.json': 'Set in studio.json',
  'package.json': 'From package.json',
  workspace: 'The workspace name (package.json has none)',
};

const settingsFiles = new Set(['studio.json', 'package.json']);

/**
 * The chaincode name a workspace runs under, shown and editable before the
 * first Run (and after: it applies from the next Run). Checked against
 * Fabric's rule as it is typed; the server's refusal shows beside it too.
 */
export function ChaincodeNameField({ workspace }: { workspace: string }) {
  const { imports, deps } = useController();
  const { rpc } = deps;
  const running = useStudio((s) => (s.workspace === workspace && s.status?.chaincode === 'running' ? s.status.chaincodeName : undefined));
  const [saved, setSaved] = useState<WorkspaceSettings | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    setSaved(null);
    setError(null);
    let shown: string | undefined;
    const load = (): void => {
      imports.settings(workspace).then(
        (settings) => {
          if (!current) return;
          setSaved(settings);
          // A name being typed is kept; an untouched one follows the file.
          const previous = shown;
          shown = settings.chaincodeName;
          setName((typed) => (previous === undefined || typed === previous ? settings.chaincodeName : typed));
        },
        (err: unknown) => current && setError(describeError(err).message),
      );
    };
    load();
    // The name also changes when studio.json or package.json is edited in the editor.
    const off = rpc.on('file/changed', (change) => {
      if (change.workspace === workspace && settingsFiles.has(change.path)) load();
    });
    return () => {
      current = false;
      off();
    };
  }, [imports, rpc, workspace]);

  const problem = chaincodeNameProblem(name);
  const changed = saved !== null && name !== saved.chaincodeName;
  const save = async (ev: FormEvent): Promise<void> => {
    ev.preventDefault();
    if (problem !== null || !changed || busy) return;
    setBusy(true);
    setError(null);
    try {
      const settings = await imports.setChaincodeName(workspace, name);
      setSaved(settings);
      setName(settings.chaincodeName);
    } catch (err) {
      const { code, message } = describeError(err);
      setError(`${message} (${code})`);
    } finally {
      setBusy(false);
    }
  };

  const hint =
    error ??
    (saved !== null && problem !== null ? problem : null) ??
    (changed ? 'Press Save; it applies from the next Run.' : null) ??
    (running !== undefined && saved !== null && running !== saved.chaincodeName ? `Running as ${running}; this name applies from the next Run.` : null) ??
    (saved ? `${sourceWords[saved.source]}; Fabric knows the chaincode by this name.` : 'Reading the project settings…');

  return (
    <form className="chaincode-name-field" data-testid="chaincode-name-field" onSubmit={(ev) => void save(ev)}>
      <label className="field">
        <span>Chaincode name</span>
        <span className="inline-field">
          <input
            data-testid="chaincode-name-input"
            value={name}
            spellCheck={false}
            disabled={saved === null}
            aria-invalid={problem !== null || error !== null}
            onChange={(e) => {
              setName(e.target.value);
              setError(null);
            }}
          />
          <button type="submit" className="btn" data-testid="chaincode-name-save" disabled={!changed || problem !== null || busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </span>
        <small className={error !== null || (saved !== null && problem !== null) ? 'hint error' : 'hint'} data-testid="chaincode-name-hint" role={error !== null ? 'alert' : undefined}>
          {hint}
        </small>
      </label>
    </form>
  );
}
