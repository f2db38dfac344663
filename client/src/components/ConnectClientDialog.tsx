import { useEffect, useState } from 'react';
import { clientConnectionPath, type ClientConnection, type ClientConnectionFile } from '../../../protocol/clientConnection.ts';
import { describeError } from '../rpc/rpcError.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { gatewaySnippet, savedFileName } from './gatewaySnippet.ts';

const downloads: { file: ClientConnectionFile; label: string }[] = [
  { file: 'client-cert.pem', label: 'Certificate' },
  { file: 'client-key.pem', label: 'Private key' },
  { file: 'connection-profile.json', label: 'Connection profile' },
];

/**
 * "Connect a client": what an application of the user's own, built with
 * `@hyperledger/fabric-gateway`, needs to reach this workspace's sandbox —
 * the Gateway endpoint on the server's host, whether it is plaintext, the
 * channel, chaincode and MSP ID, and downloads of the sandbox-issued client
 * identity and a connection profile. Asked again when the sandbox becomes ready.
 */
export function ConnectClientDialog({ onClose }: { onClose: () => void }) {
  const controller = useController();
  const workspace = useStudio((s) => s.workspace);
  const ready = useStudio((s) => s.status?.phase === 'ready');
  const [connection, setConnection] = useState<ClientConnection | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!workspace) return undefined;
    let current = true;
    setError(null);
    controller.deps.rpc.request('client/connection', { workspace }).then(
      (reply) => current && setConnection(reply),
      (err: unknown) => {
        if (!current) return;
        const { code, message } = describeError(err);
        setConnection(null);
        setError(`${message} (${code})`);
      },
    );
    return () => {
      current = false;
    };
  }, [controller, workspace, ready]);

  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div className="modal export-dialog connect-client" data-testid="connect-client-dialog" role="dialog" aria-label="Connect a client" onMouseDown={(e) => e.stopPropagation()}>
        <h2>Connect a client to {workspace}</h2>
        <p className="muted small">
          Your own application can submit and evaluate on this sandbox with the Fabric Gateway client (<span className="mono">@hyperledger/fabric-gateway</span>), from
          the machine the IDE server runs on. The identity below was issued for this by the sandbox&apos;s own CA; it is an ordinary member of the org, not its admin.
        </p>
        {error ? (
          <p className="error small" data-testid="connect-client-error" role="alert">
            {error}
          </p>
        ) : null}
        {!connection && !error ? <p className="muted small">Asking the sandbox…</p> : null}
        {connection ? (
          <div className="export-result" data-testid="connect-client-details">
            <dl className="result-fields">
              <dt>Gateway endpoint</dt>
              <dd className="mono selectable" data-testid="connect-client-endpoint">
                {connection.endpoint}
              </dd>
              <dt>Transport</dt>
              <dd data-testid="connect-client-transport">{connection.plaintext ? 'plaintext gRPC (no TLS)' : 'TLS'}</dd>
              <dt>Channel</dt>
              <dd className="mono selectable" data-testid="connect-client-channel">
                {connection.channel}
              </dd>
              <dt>Chaincode</dt>
              <dd className="mono selectable" data-testid="connect-client-chaincode">
                {connection.chaincodeName}
              </dd>
              <dt>MSP ID</dt>
              <dd className="mono selectable" data-testid="connect-client-msp">
                {connection.mspId}
              </dd>
              <dt>Identity</dt>
              <dd className="mono" data-testid="connect-client-identity" title={`Valid until ${connection.identity.notAfter}`}>
                {connection.identity.commonName}
              </dd>
            </dl>
            <div className="connect-client-downloads">
              {downloads.map(({ file, label }) => (
                <a
                  key={file}
                  className="btn download"
                  data-testid={`connect-client-download-${file}`}
                  href={controller.deps.downloadHref(clientConnectionPath(connection.workspace, file))}
                  download={savedFileName(connection.workspace, file)}
                >
                  {label}
                </a>
              ))}
            </div>
            <p className="muted small">Keep the private key to yourself: anyone with it can transact as this identity while the sandbox runs.</p>
            <details>
              <summary className="small">Node.js example</summary>
              <pre className="mono selectable connect-client-snippet" data-testid="connect-client-snippet">
                {gatewaySnippet(connection)}
              </pre>
            </details>
          </div>
        ) : null}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
