import { useMemo, useState } from 'react';
import type { DragEvent, FormEvent } from 'react';
import { NothingImportedData } from '../../../protocol/errorData.ts';
import { ErrorCode } from '../../../protocol/errors.ts';
import type { ImportSkipped } from '../../../protocol/workspaceImport.ts';
import type { ImportOutcome } from '../controller/importController.ts';
import { readDrop } from '../import/droppedItems.ts';
import { filesOfInput, selectFolderFiles, suggestedWorkspaceName, type FolderFile } from '../import/folderFiles.ts';
import type { StarterLanguage } from '../import/starterProject.ts';
import { archiveProblem } from '../import/uploadLimits.ts';
import { describeError, RpcError } from '../rpc/rpcError.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { ChaincodeNameField } from './ChaincodeNameField.tsx';
import { ImportSkippedList } from './ImportSkippedList.tsx';

const namePattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

type Mode = 'empty' | 'sample' | 'import';
/** What the user chose to import: a folder's files (picked or dropped) or one archive. */
type Source = { kind: 'folder'; name: string; files: FolderFile[] } | { kind: 'archive'; file: File };

const modes: { id: Mode; label: string }[] = [
  { id: 'empty', label: 'Empty project' },
  { id: 'sample', label: 'From a sample' },
  { id: 'import', label: 'Import a project' },
];

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** A problem with the chosen source found before uploading, or null. */
function sourceProblem(source: Source | null): string | null {
  if (source === null) return null;
  if (source.kind === 'folder') return source.files.length === 0 ? 'The folder is empty.' : null;
  return archiveProblem(source.file)?.message ?? null;
}

function describeSource(source: Source): string {
  if (source.kind === 'archive') return `${source.file.name} · ${megabytes(source.file.size)}`;
  const { files, skipped } = selectFolderFiles(source.files);
  const unread = skipped.reduce((sum, s) => sum + s.files, 0);
  return `${source.name}/ · ${files.length} ${files.length === 1 ? 'file' : 'files'}${unread > 0 ? `, ${unread} left unread (${skipped.map((s) => s.path).join(', ')})` : ''}`;
}

/**
 * The New workspace dialog: an empty project in the language chosen, a copy
 * of a sample, or the user's own project imported from a folder (picked or
 * dropped, its tree kept) or a .zip / .tar.gz. After an import it says what
 * was left out and why, and lets the chaincode name be set before the first Run.
 */
export function CreateWorkspaceDialog({ onClose }: { onClose: () => void }) {
  const controller = useController();
  const samples = useStudio((s) => s.samples);
  const workspaces = useStudio((s) => s.workspaces);
  const [mode, setMode] = useState<Mode>('sample');
  const [sample, setSample] = useState(samples[0]?.id ?? '');
  const [language, setLanguage] = useState<StarterLanguage>('typescript');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [source, setSource] = useState<Source | null>(null);
  const [sourceError, setSourceError] = useState<{ message: string; skipped: ImportSkipped[] } | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ImportOutcome | null>(null);
  const chosen = sample || samples[0]?.id || '';
  const clash = workspaces.some((w) => w.id === name) ? `A workspace named ${name} already exists: pick another name.` : null;
  const nameOk = namePattern.test(name) && clash === null;
  const problem = sourceProblem(source);
  const sourceText = useMemo(() => (source === null ? null : describeSource(source)), [source]);
  const ready = nameOk && !busy && (mode === 'sample' ? chosen !== '' : mode === 'import' ? source !== null && problem === null : true);

  const choose = (next: Source | null): void => {
    setSource(next);
    setSourceError(null);
    if (next !== null && !nameTouched) setName(suggestedWorkspaceName(next.kind === 'folder' ? next.name : next.file.name));
  };
  const chooseFolder = (list: FileList | null): void => {
    const files = filesOfInput(list ?? []);
    const top = files[0]?.path.split('/')[0] ?? 'project';
    choose(files.length === 0 ? null : { kind: 'folder', name: top, files });
  };
  const drop = async (ev: DragEvent): Promise<void> => {
    ev.preventDefault();
    setDragging(false);
    try {
      const dropped = await readDrop(ev.dataTransfer);
      if (dropped === undefined) return setSourceError({ message: 'Nothing to import was dropped: drop a project folder or a .zip / .tar.gz.', skipped: [] });
      choose('archive' in dropped ? { kind: 'archive', file: dropped.archive } : { kind: 'folder', name: dropped.name, files: dropped.files });
    } catch (err) {
      setSourceError({ message: `The dropped files could not be read: ${describeError(err).message}`, skipped: [] });
    }
  };

  /** Puts a refusal beside the field it concerns: the name, or what is imported. */
  const showError = (err: unknown): void => {
    const { code, message } = describeError(err);
    if (code === ErrorCode.AlreadyExists || code === ErrorCode.InvalidParams) {
      setNameError(`${message} (${code})`);
      return;
    }
    const data = err instanceof RpcError ? NothingImportedData.safeParse(err.data) : undefined;
    setSourceError({ message: `${message} (${code})`, skipped: data?.success ? data.data.skipped : [] });
  };

  const submit = async (ev: FormEvent): Promise<void> => {
    ev.preventDefault();
    if (!ready) return;
    setBusy(true);
    setNameError(null);
    setSourceError(null);
    try {
      if (mode === 'sample') {
        const created = await controller.workspace.create(name, chosen);
        if (created.ok) onClose();
        else setNameError(`${created.message} (${created.code})`);
      } else if (mode === 'empty') {
        await controller.imports.createEmpty(name, language);
        onClose();
      } else if (source !== null) {
        setDone(source.kind === 'folder' ? await controller.imports.importFolder(name, source.files) : await controller.imports.importArchive(name, source.file));
      }
    } catch (err) {
      showError(err);
    } finally {
      setBusy(false);
    }
  };

  if (done !== null) {
    return (
      <div className="modal-backdrop" onMouseDown={onClose}>
        <div className="modal import-dialog" data-testid="create-workspace-dialog" data-step="imported" onMouseDown={(e) => e.stopPropagation()}>
          <h2>Imported {done.workspace}</h2>
          <p className="small" data-testid="import-summary">
            {done.imported} {done.imported === 1 ? 'file' : 'files'} imported into the workspace {done.workspace}.
          </p>
          <ImportSkippedList skipped={done.skipped} />
          <ChaincodeNameField workspace={done.workspace} />
          <div className="modal-actions">
            <button type="button" className="btn primary" data-testid="import-done" autoFocus onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      </div>
    );
  }

  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <form className="modal import-dialog" data-testid="create-workspace-dialog" onMouseDown={(e) => e.stopPropagation()} onSubmit={(e) => void submit(e)}>
        <h2>New workspace</h2>
        <div className="create-modes" role="radiogroup" aria-label="Start from">
          {modes.map((m) => (
            <label key={m.id} className={mode === m.id ? 'create-mode active' : 'create-mode'}>
              <input type="radio" name="create-mode" data-testid={`create-mode-${m.id}`} checked={mode === m.id} onChange={() => setMode(m.id)} />
              {m.label}
            </label>
          ))}
        </div>
        {mode === 'empty' ? (
          <label className="field">
            <span>Language</span>
            <select data-testid="create-language-select" value={language} onChange={(e) => setLanguage(e.target.value as StarterLanguage)}>
              <option value="typescript">TypeScript</option>
              <option value="javascript">JavaScript</option>
              <option value="go">Go</option>
            </select>
            <small className="hint">A package.json and one contract with a Put and a Get transaction, ready to Run.</small>
          </label>
        ) : null}
        {mode === 'sample' ? (
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
        ) : null}
        {mode === 'import' ? (
          <div className="field">
            <span>Project</span>
            <div
              className={dragging ? 'import-drop-zone dragging' : 'import-drop-zone'}
              data-testid="import-drop-zone"
              onDragOver={(e) => {
                e.preventDefault();
                setDragging(true);
              }}
              onDragLeave={() => setDragging(false)}
              onDrop={(e) => void drop(e)}
            >
              <span>Drop a project folder or a .zip / .tar.gz here, or</span>
              <span className="import-pickers">
                <label className="btn small">
                  Choose folder…
                  <input
                    type="file"
                    hidden
                    multiple
                    data-testid="import-folder-input"
                    ref={(el) => {
                      if (el) el.webkitdirectory = true;
                    }}
                    onChange={(e) => chooseFolder(e.target.files)}
                  />
                </label>
                <label className="btn small">
                  Choose archive…
                  <input
                    type="file"
                    hidden
                    accept=".zip,.tar.gz,.tgz,application/zip,application/gzip"
                    data-testid="import-archive-input"
                    onChange={(e) => {
                      const file = e.target.files?.[0];
                      choose(file === undefined ? null : { kind: 'archive', file });
                    }}
                  />
                </label>
              </span>
            </div>
            {sourceText !== null ? (
              <small className="hint mono" data-testid="import-source">
                {sourceText}
              </small>
            ) : (
              <small className="hint">node_modules, build output and .git are left out; Run installs the dependencies from package.json.</small>
            )}
            {problem !== null || sourceError !== null ? (
              <div className="hint error" data-testid="import-error" role="alert">
                {problem ?? sourceError?.message}
                {sourceError !== null && sourceError.skipped.length > 0 ? <ImportSkippedList skipped={sourceError.skipped} /> : null}
              </div>
            ) : null}
          </div>
        ) : null}
        <label className="field">
          <span>Name</span>
          <input
            data-testid="workspace-name-input"
            autoFocus
            value={name}
            placeholder="my-chaincode"
            aria-invalid={(name !== '' && !nameOk) || nameError !== null}
            onChange={(e) => {
              setName(e.target.value.toLowerCase());
              setNameTouched(true);
              setNameError(null);
            }}
          />
          {clash !== null || nameError !== null ? (
            <small className="hint error" data-testid="workspace-name-error" role="alert">
              {clash ?? nameError}
            </small>
          ) : (
            <small className={name && !nameOk ? 'hint error' : 'hint'} data-testid="workspace-name-hint">
              Lowercase letters, digits and dashes.
            </small>
          )}
        </label>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" data-testid="create-workspace-submit" disabled={!ready}>
            {busy ? (mode === 'import' ? 'Importing…' : 'Creating…') : mode === 'import' ? 'Import' : 'Create'}
          </button>
        </div>
      </form>
    </div>
  );
}
