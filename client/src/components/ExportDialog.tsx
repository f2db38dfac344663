import { useEffect, useId, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { ChaincodeDefinitionParams, packageLabelProblem, suggestedPackageLabel } from '../../../protocol/fabric.ts';
import { ccaasOptionsProblem, exportFieldProblem } from '../../../protocol/exportOptions.ts';
import type { CcaasOptions } from '../../../protocol/exportOptions.ts';
import type { WorkspaceSettings } from '../../../protocol/messages.ts';
import type { ExportedPackage } from '../controller/workspaceController.ts';
import { describeError } from '../rpc/rpcError.ts';
import { DeployForm } from './DeployForm.tsx';
import { useController, useStudio } from '../state/StudioContext.tsx';

type ExportKind = 'package' | 'ccaas';

const kindTitles: Record<ExportKind, string> = {
  package: 'Fabric chaincode package',
  ccaas: 'Chaincode-as-a-service bundle',
};

/** The defaults the server applies to an empty field (server/config.ts), shown as placeholders. */
const defaults = { channel: 'mychannel', version: '1.0', sequence: 1, namespace: 'default' } as const;

/** Formats a byte count as B / KB / MB. */
function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The Kubernetes Service name the server derives from a chaincode name (ccaasBundle.ts `serviceNameFor`), for the address placeholder. */
function serviceNameFor(chaincodeName: string): string {
  const lower = chaincodeName.toLowerCase().replace(/_/g, '-');
  return (/^[a-z]/.test(lower) ? lower : `cc-${lower}`).slice(0, 63).replace(/-+$/, '');
}

interface Fields {
  channel: string;
  version: string;
  sequence: string;
  namespace: string;
  address: string;
  tlsRequired: boolean;
  rootCert: string;
}

const sourceWords: Record<WorkspaceSettings['source'], string> = {
  'studio.json': 'from studio.json',
  'package.json': 'from package.json',
  workspace: 'the workspace name',
};

/**
 * Exports the open workspace for production: a Fabric chaincode package
 * (`peer lifecycle chaincode install`) or a CCaaS bundle for Kubernetes,
 * adapted to the operator's network (channel, version, sequence; namespace,
 * address and TLS for a bundle). The package ID is shown before the download,
 * with a summary of what to hand the operator.
 */
export function ExportDialog({ onClose }: { onClose: () => void }) {
  const controller = useController();
  const workspace = useStudio((s) => s.workspace);
  const [settings, setSettings] = useState<WorkspaceSettings | null>(null);
  const [label, setLabel] = useState('');
  const [fields, setFields] = useState<Fields>({ channel: '', version: '', sequence: '', namespace: '', address: '', tlsRequired: false, rootCert: '' });
  const [busy, setBusy] = useState<ExportKind | null>(null);
  const [result, setResult] = useState<{ kind: ExportKind; file: ExportedPackage } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    controller.workspace.settings().then(
      (read) => {
        if (!live) return;
        setSettings(read);
        setLabel((current) => current || suggestedPackageLabel(read.chaincodeName));
      },
      () => live && setLabel((current) => current || suggestedPackageLabel(workspace ?? 'chaincode')),
    );
    return () => {
      live = false;
    };
  }, [controller, workspace]);

  const chaincodeName = settings?.chaincodeName ?? workspace ?? 'chaincode';
  const labelProblem = packageLabelProblem(label);
  const sequenceText = fields.sequence.trim();
  const sequenceProblem =
    sequenceText === '' || (/^[0-9]+$/.test(sequenceText) && ChaincodeDefinitionParams.shape.sequence.safeParse(Number(sequenceText)).success)
      ? null
      : 'a whole number from 1 (each new definition of a chaincode takes the next one)';
  const problems = {
    channel: exportFieldProblem('channel', fields.channel),
    version: exportFieldProblem('version', fields.version),
    sequence: sequenceProblem,
    namespace: exportFieldProblem('namespace', fields.namespace),
    address: exportFieldProblem('address', fields.address),
    rootCert: fields.tlsRequired ? (exportFieldProblem('rootCert', fields.rootCert) ?? (fields.rootCert.trim() ? null : ccaasOptionsProblem({ tlsRequired: true }))) : null,
  };
  const definitionOk = !labelProblem && !problems.channel && !problems.version && !problems.sequence;
  const ccaasOk = definitionOk && !problems.namespace && !problems.address && !problems.rootCert;
  const namespace = fields.namespace.trim() || defaults.namespace;

  const options = (): CcaasOptions => {
    const value = (s: string): string | undefined => s.trim() || undefined;
    const picked: CcaasOptions = {
      channel: value(fields.channel),
      version: value(fields.version),
      sequence: fields.sequence.trim() ? Number(fields.sequence) : undefined,
      namespace: value(fields.namespace),
      address: value(fields.address),
      ...(fields.tlsRequired ? { tlsRequired: true, rootCert: fields.rootCert.trim() } : {}),
    };
    return Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined)) as CcaasOptions;
  };

  const run = async (kind: ExportKind): Promise<void> => {
    if (busy || !(kind === 'package' ? definitionOk : ccaasOk)) return;
    setBusy(kind);
    setError(null);
    setResult(null);
    try {
      setResult({ kind, file: await controller.workspace.exportPackage(kind, label, options()) });
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
  const edit = (patch: Partial<Fields>): void => {
    setFields((current) => ({ ...current, ...patch }));
    setResult(null);
  };

  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <form
        className="modal export-dialog"
        data-testid="export-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="export-dialog-title"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
        onSubmit={submit}
      >
        <h2 id="export-dialog-title">Export {workspace}</h2>
        <p className="muted small">
          Compiles the workspace afresh and packages it for a production peer. Nothing is installed; you download the file. Empty fields take the
          default shown.
        </p>
        <TextField
          label="Package label"
          testId="export-label-input"
          hintTestId="export-label-hint"
          value={label}
          problem={labelProblem}
          autoFocus
          onChange={(v) => {
            setLabel(v);
            setResult(null);
          }}
        >
          Letters, digits and _ . + -, starting with a letter or a digit.
        </TextField>
        <fieldset className="export-fields">
          <legend>Chaincode definition</legend>
          <div className="field">
            <span>Chaincode name</span>
            <output className="mono" data-testid="export-chaincode-name">
              {chaincodeName}
            </output>
            <small className="hint">{settings ? `The workspace’s own name for it, ${sourceWords[settings.source]}.` : 'Reading the workspace settings…'}</small>
          </div>
          <div className="export-grid">
            <TextField label="Channel" testId="export-channel" value={fields.channel} placeholder={defaults.channel} problem={problems.channel} onChange={(channel) => edit({ channel })} />
            <TextField label="Version" testId="export-version" value={fields.version} placeholder={defaults.version} problem={problems.version} onChange={(version) => edit({ version })} />
            <TextField
              label="Sequence"
              testId="export-sequence"
              value={fields.sequence}
              placeholder={String(defaults.sequence)}
              problem={problems.sequence}
              inputMode="numeric"
              onChange={(sequence) => edit({ sequence })}
            >
              The next one for an upgrade.
            </TextField>
          </div>
        </fieldset>
        <fieldset className="export-fields">
          <legend>Chaincode as a service (bundle only)</legend>
          <div className="export-grid">
            <TextField label="Kubernetes namespace" testId="export-namespace" value={fields.namespace} placeholder={defaults.namespace} problem={problems.namespace} onChange={(ns) => edit({ namespace: ns })} />
            <TextField
              label="Address the peer dials"
              testId="export-address"
              value={fields.address}
              placeholder={`${serviceNameFor(chaincodeName)}.${namespace}.svc.cluster.local:9999`}
              problem={problems.address}
              onChange={(address) => edit({ address })}
            />
          </div>
          <label className="toggle">
            <input type="checkbox" data-testid="export-tls" checked={fields.tlsRequired} onChange={(e) => edit({ tlsRequired: e.target.checked })} />
            The peer connects with TLS
          </label>
          {fields.tlsRequired ? (
            <TextField label="CA certificate of the chaincode server (PEM)" testId="export-root-cert" value={fields.rootCert} problem={problems.rootCert} multiline onChange={(rootCert) => edit({ rootCert })} />
          ) : null}
        </fieldset>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
          <button type="button" className="btn" data-testid="export-ccaas" disabled={!ccaasOk || busy !== null} onClick={() => void run('ccaas')}>
            {busy === 'ccaas' ? 'Exporting…' : 'Export CCaaS bundle'}
          </button>
          <button type="submit" className="btn primary" data-testid="export-package" disabled={!definitionOk || busy !== null}>
            {busy === 'package' ? 'Exporting…' : 'Export package'}
          </button>
        </div>
        {busy ? (
          <p className="muted small" role="status">
            Compiling and packaging; the first export also resolves the production dependencies…
          </p>
        ) : null}
        {error ? (
          <p className="error small" data-testid="export-error" role="alert">
            {error}
          </p>
        ) : null}
        {result ? <ExportResult kind={result.kind} file={result.file} /> : null}
      </form>
    </div>
  );
}

/** A labelled text field with its hint or its problem, tied to the input for assistive technology. */
function TextField(props: {
  label: string;
  testId: string;
  value: string;
  problem: string | null;
  onChange: (value: string) => void;
  placeholder?: string;
  autoFocus?: boolean;
  multiline?: boolean;
  inputMode?: 'numeric';
  /** Defaults to `<testId>-hint`. */
  hintTestId?: string;
  children?: ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const common = {
    id,
    'data-testid': props.testId,
    value: props.value,
    spellCheck: false,
    'aria-invalid': props.problem !== null,
    'aria-describedby': props.problem || props.children ? hintId : undefined,
    placeholder: props.placeholder,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={4} className="mono" onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input {...common} autoFocus={props.autoFocus} inputMode={props.inputMode} onChange={(e) => props.onChange(e.target.value)} />
      )}
      {props.problem || props.children ? (
        <small id={hintId} className={props.problem ? 'hint error' : 'hint'} data-testid={props.hintTestId ?? `${props.testId}-hint`}>
          {props.problem ?? props.children}
        </small>
      ) : null}
    </div>
  );
}

/** The exported file, its hashes explained, and what to hand the operator. */
function ExportResult({ kind, file }: { kind: ExportKind; file: ExportedPackage }) {
  const h = file.handover;
  const bundle = kind === 'ccaas';
  return (
    <div className="export-result" data-testid="export-result" data-kind={kind}>
      <div className="subhead">{kindTitles[kind]}</div>
      <dl className="result-fields">
        <dt>Package ID</dt>
        <dd className="mono selectable" data-testid="export-package-id">
          {file.packageId}
        </dd>
        <dt>Download</dt>
        <dd className="mono">
          {file.fileName} · {sizeText(file.sizeBytes)}
        </dd>
        <dt>SHA-256</dt>
        <dd className="mono selectable" data-testid="export-sha256" title={file.sha256}>
          {file.sha256}
        </dd>
        {bundle ? (
          <>
            <dt>Package inside</dt>
            <dd className="mono selectable" data-testid="export-package-sha256">
              {h.packageFileName} · SHA-256 {h.packageSha256}
            </dd>
          </>
        ) : null}
      </dl>
      <p className="small" data-testid="export-hash-note">
        {bundle
          ? `The package ID ends in the SHA-256 of ${h.packageFileName}, the package inside the bundle, which is what the peer installs. The download's own SHA-256 differs because the bundle also holds the image build context, the Kubernetes manifests and a README.`
          : 'The package ID ends in the SHA-256 of this very file: the peer computes the same when it installs it.'}
      </p>
      <a className="btn primary download" data-testid="export-download" href={file.downloadUrl} download={file.fileName}>
        Download {file.fileName}
      </a>
      <section className="export-handover" data-testid="export-handover" aria-labelledby="export-handover-title">
        <div className="subhead" id="export-handover-title">
          Hand this to your operator
        </div>
        <p className="small">
          Give them <strong className="mono">{file.fileName}</strong>
          {bundle ? ' (its README has every command filled in)' : ''} and this:
        </p>
        <ol className="small">
          {bundle ? (
            <>
              <li>
                Build and push the image from <span className="mono">image/</span> as <span className="mono">{h.image}</span>.
              </li>
              <li>
                Install <span className="mono">{h.packageFileName}</span> (in the bundle) on every endorsing peer; it shows package ID{' '}
                <span className="mono">{file.packageId}</span>.
              </li>
              <li>
                Run <span className="mono">kubectl apply -k k8s/</span>: it starts the chaincode server in namespace <span className="mono">{h.namespace}</span>. The peer
                dials <span className="mono">{h.address}</span> {h.tlsRequired ? 'with TLS (the server key pair goes in a Secret, see the README)' : 'in plaintext'}.
              </li>
            </>
          ) : (
            <li>
              Install <span className="mono">{h.packageFileName}</span> on every endorsing peer with <span className="mono">peer lifecycle chaincode install</span>; it
              shows package ID <span className="mono">{file.packageId}</span>.
            </li>
          )}
          <li>
            Approve and commit on channel <span className="mono">{h.channel}</span> as <span className="mono">--name {h.chaincodeName}</span>{' '}
            <span className="mono">--version {h.version}</span> <span className="mono">--sequence {h.sequence}</span>.
          </li>
        </ol>
      </section>
      <details className="deploy-section" data-testid="deploy-section">
        <summary>Deploy this package to a running Fabric network…</summary>
        <DeployForm exportId={file.exportId} />
      </details>
    </div>
  );
}
