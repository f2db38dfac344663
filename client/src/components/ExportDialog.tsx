import { useState } from 'react';
import type { FormEvent } from 'react';
import { packageLabelProblem, suggestedPackageLabel } from '../../../protocol/fabric.ts';
import type { ExportedPackage } from '../controller/workspaceController.ts';
import { describeError } from '../rpc/rpcError.ts';
import { DeployForm } from './DeployForm.tsx';
import { useController, useStudio } from '../state/StudioContext.tsx';

type ExportKind = 'package' | 'ccaas';

const kindTitles: Record<ExportKind, string> = {
  package: 'Fabric chaincode package',
  ccaas: 'Chaincode-as-a-service bundle',
};

/** Formats a byte count as B / KB / MB. */
function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Exports the open workspace for production: a Fabric chaincode package
 * (`peer lifecycle chaincode install`) or a CCaaS bundle for Kubernetes. The
 * package ID is shown before the download.
 */
export function ExportDialog({ onClose }: { onClose: () => void }) {
  const controller = useController();
  const workspace = useStudio((s) => s.workspace);
  const chaincodeName = useStudio((s) => s.status?.chaincodeName);
  const [label, setLabel] = useState(() => suggestedPackageLabel(chaincodeName ?? workspace ?? 'chaincode'));
  const [busy, setBusy] = useState<ExportKind | null>(null);
  const [result, setResult] = useState<{ kind: ExportKind; file: ExportedPackage } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const problem = packageLabelProblem(label);

  const run = async (kind: ExportKind): Promise<void> => {
    if (problem || busy) return;
    setBusy(kind);
    setError(null);
    setResult(null);
    try {
      setResult({ kind, file: await controller.workspace.exportPackage(kind, label) });
    } catch (err) {
      const { code, message } = describeError(err);
      setError(`${message} (${code})`);
    } finally {
      setBusy(null);
    }
  };
  const submit = (ev: FormEvent): void => {
    ev.preventDefault();
    void run('package');
  };

  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <form className="modal export-dialog" data-testid="export-dialog" onMouseDown={(e) => e.stopPropagation()} onSubmit={submit}>
        <h2>Export {workspace}</h2>
        <p className="muted small">
          Compiles the workspace afresh and packages it for a production peer. Nothing is installed; you download the file.
        </p>
        <label className="field">
          <span>Package label</span>
          <input
            data-testid="export-label-input"
            autoFocus
            value={label}
            spellCheck={false}
            aria-invalid={problem !== null}
            onChange={(e) => {
              setLabel(e.target.value);
              setResult(null);
            }}
          />
          <small className={problem ? 'hint error' : 'hint'} data-testid="export-label-hint">
            {problem ?? 'Letters, digits and _ . + -, starting with a letter or a digit.'}
          </small>
        </label>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
          <button type="button" className="btn" data-testid="export-ccaas" disabled={problem !== null || busy !== null} onClick={() => void run('ccaas')}>
            {busy === 'ccaas' ? 'Exporting…' : 'Export CCaaS bundle'}
          </button>
          <button type="submit" className="btn primary" data-testid="export-package" disabled={problem !== null || busy !== null}>
            {busy === 'package' ? 'Exporting…' : 'Export package'}
          </button>
        </div>
        {busy ? <p className="muted small">Compiling and packaging; the first export also resolves the production dependencies…</p> : null}
        {error ? (
          <p className="error small" data-testid="export-error" role="alert">
            {error}
          </p>
        ) : null}
        {result ? (
          <div className="export-result" data-testid="export-result" data-kind={result.kind}>
            <div className="subhead">{kindTitles[result.kind]}</div>
            <dl className="result-fields">
              <dt>Package ID</dt>
              <dd className="mono selectable" data-testid="export-package-id">
                {result.file.packageId}
              </dd>
              <dt>File</dt>
              <dd className="mono">
                {result.file.fileName} · {sizeText(result.file.sizeBytes)}
              </dd>
              <dt>SHA-256</dt>
              <dd className="mono selectable" title={result.file.sha256}>
                {result.file.sha256}
              </dd>
            </dl>
            <a className="btn primary download" data-testid="export-download" href={result.file.downloadUrl} download={result.file.fileName}>
              Download {result.file.fileName}
            </a>
            <details className="deploy-section" data-testid="deploy-section">
              <summary>Deploy this package to a running Fabric network…</summary>
              <DeployForm exportId={result.file.exportId} />
            </details>
          </div>
        ) : null}
      </form>
    </div>
  );
}
