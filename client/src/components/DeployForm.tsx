import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { errorDataOf } from '../../../protocol/errorData.ts';
import { ErrorCode } from '../../../protocol/errors.ts';
import type { TlsEndpoint } from '../../../protocol/fabric.ts';
import type { DeployStepInfo, FabricConnectionParams, ResultOf } from '../../../protocol/messages.ts';
import { describeError, RpcError } from '../rpc/rpcError.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';

/** What the user types; the PEM fields are pasted. Kept for the tab's life, never the private key. */
interface DeployFields {
  peerEndpoint: string;
  peerHostname: string;
  peerTlsCa: string;
  ordererEndpoint: string;
  ordererHostname: string;
  ordererTlsCa: string;
  mspId: string;
  adminCert: string;
  adminKey: string;
  caCert: string;
  channel: string;
  name: string;
  version: string;
  sequence: string;
}

const remembered = 'studio.deploy.fields';
const stepTitles: Record<DeployStepInfo['step'], string> = {
  install: 'Install',
  approveformyorg: 'Approve for my org',
  checkcommitreadiness: 'Check commit readiness',
  commit: 'Commit',
  querycommitted: 'Query committed',
};

function initialFields(chaincodeName: string): DeployFields {
  const empty: DeployFields = {
    peerEndpoint: '',
    peerHostname: '',
    peerTlsCa: '',
    ordererEndpoint: '',
    ordererHostname: '',
    ordererTlsCa: '',
    mspId: 'Org1MSP',
    adminCert: '',
    adminKey: '',
    caCert: '',
    channel: 'mychannel',
    name: chaincodeName,
    version: '1.0',
    sequence: '1',
  };
  try {
    // Everything but the private key is remembered in this browser tab.
    return { ...empty, ...(JSON.parse(sessionStorage.getItem(remembered) ?? '{}') as Partial<DeployFields>), adminKey: '' };
  } catch {
    return empty;
  }
}

function connectionOf(f: DeployFields): FabricConnectionParams {
  const endpoint = (address: string, tlsRootCert: string, hostname: string): TlsEndpoint => ({ endpoint: address.trim(), tlsRootCert, ...(hostname.trim() ? { hostname: hostname.trim() } : {}) });
  return {
    peer: endpoint(f.peerEndpoint, f.peerTlsCa, f.peerHostname),
    orderer: endpoint(f.ordererEndpoint, f.ordererTlsCa, f.ordererHostname),
    admin: { mspId: f.mspId.trim(), certificate: f.adminCert, privateKey: f.adminKey, caCert: f.caCert },
    channel: f.channel.trim(),
  };
}

/**
 * Deploys an exported package to a running Fabric network: install on the
 * peer, approve for the org, check commit readiness, commit. Each step's
 * result is shown as it arrives; a failure names its step and the peer's words.
 */
export function DeployForm({ exportId }: { exportId: string }) {
  const { rpc, store } = useController().deps;
  const workspace = useStudio((s) => s.workspace);
  const chaincodeName = useStudio((s) => s.status?.chaincodeName) ?? 'basic';
  const [fields, setFields] = useState<DeployFields>(() => initialFields(chaincodeName));
  const [progress, setProgress] = useState<{ step: string; message: string }[]>([]);
  const [result, setResult] = useState<ResultOf<'deploy'> | null>(null);
  const [error, setError] = useState<{ message: string; steps?: DeployStepInfo[] } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(
    () =>
      rpc.on('sandbox/progress', (p) => {
        if (p.workspace === workspace && p.step.startsWith('deploy:')) setProgress((list) => [...list, { step: p.step.slice(7), message: p.message }]);
      }),
    [rpc, workspace],
  );

  const set = (key: keyof DeployFields) => (ev: { target: { value: string } }) => setFields((f) => ({ ...f, [key]: ev.target.value }));

  const submit = async (ev: FormEvent): Promise<void> => {
    ev.preventDefault();
    if (!workspace || busy) return;
    const { adminKey: _secret, ...keep } = fields;
    sessionStorage.setItem(remembered, JSON.stringify(keep));
    setBusy(true);
    setProgress([]);
    setResult(null);
    setError(null);
    try {
      const reply = await rpc.request('deploy', {
        workspace,
        connection: connectionOf(fields),
        chaincode: { name: fields.name.trim(), version: fields.version.trim(), sequence: Number(fields.sequence) },
        package: { from: 'export', exportId },
      });
      setResult(reply);
      store.dispatch({ type: 'notice', kind: 'info', text: `Deployed ${reply.packageId} (sequence ${reply.committed.sequence})` });
    } catch (err) {
      const { message } = describeError(err);
      const steps = err instanceof RpcError ? errorDataOf(ErrorCode.Export, err)?.steps : undefined;
      setError(steps ? { message, steps } : { message });
    } finally {
      setBusy(false);
    }
  };

  const steps = result?.steps ?? error?.steps;
  const text = (key: keyof DeployFields, label: string, placeholder = '') => (
    <label className="field">
      <span>{label}</span>
      <input data-testid={`deploy-${key}`} value={fields[key]} placeholder={placeholder} spellCheck={false} onChange={set(key)} />
    </label>
  );
  const pem = (key: keyof DeployFields, label: string) => (
    <label className="field">
      <span>{label}</span>
      <textarea data-testid={`deploy-${key}`} className="mono" rows={3} value={fields[key]} placeholder="-----BEGIN …-----" spellCheck={false} onChange={set(key)} />
    </label>
  );

  return (
    <form className="deploy-form" data-testid="deploy-form" onSubmit={(ev) => void submit(ev)}>
      <div className="subhead">Deploy to a network</div>
      <p className="muted small">Runs install, approve, check commit readiness and commit as your organization's admin. The key is sent to the server for this deploy only and written nowhere else.</p>
      <div className="deploy-grid">
        {text('peerEndpoint', 'Peer endpoint', 'peer0.org1.example.com:7051')}
        {text('peerHostname', 'Peer TLS host name (optional)', 'peer0.org1.example.com')}
        {pem('peerTlsCa', 'Peer TLS CA certificate')}
        {text('ordererEndpoint', 'Orderer endpoint', 'orderer.example.com:7050')}
        {text('ordererHostname', 'Orderer TLS host name (optional)', 'orderer.example.com')}
        {pem('ordererTlsCa', 'Orderer TLS CA certificate')}
        {text('mspId', 'MSP ID')}
        {text('channel', 'Channel')}
        {pem('adminCert', 'Admin certificate')}
        {pem('adminKey', 'Admin private key')}
        {pem('caCert', "Organization's CA certificate")}
        {text('name', 'Chaincode name')}
        {text('version', 'Version')}
        {text('sequence', 'Sequence')}
      </div>
      <div className="modal-actions">
        <button type="submit" className="btn primary" data-testid="deploy-submit" disabled={busy}>
          {busy ? 'Deploying…' : 'Deploy'}
        </button>
      </div>
      {busy && progress.length > 0 ? (
        <ul className="deploy-steps" data-testid="deploy-progress">
          {progress.map((p, i) => (
            <li key={i}>
              {p.step}: {p.message}
            </li>
          ))}
        </ul>
      ) : null}
      {steps ? (
        <ul className="deploy-steps" data-testid="deploy-steps">
          {steps.map((s) => (
            <li key={s.step} data-testid="deploy-step" data-step={s.step} data-ok={s.ok} className={s.ok ? 'ok' : 'error'}>
              <strong>{stepTitles[s.step]}</strong> {s.ok ? '✓' : '✗'} <span className="muted">({Math.round(s.durationMs)} ms)</span>
              <div className="small mono">{s.message}</div>
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <p className="error small" data-testid="deploy-error" role="alert">
          {error.message}
        </p>
      ) : null}
    </form>
  );
}
