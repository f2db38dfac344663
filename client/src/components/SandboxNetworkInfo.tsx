import { useState } from 'react';
import { useStudio } from '../state/StudioContext.tsx';
import { ConnectClientDialog } from './ConnectClientDialog.tsx';

/**
 * The sandbox's channel, chaincode name and MSP ID in the status bar — what a client application
 * of one's own names — as the button that opens "Connect a client".
 */
export function SandboxNetworkInfo() {
  const workspace = useStudio((s) => s.workspace);
  const status = useStudio((s) => s.status);
  const connected = useStudio((s) => s.connection === 'open');
  const [open, setOpen] = useState(false);
  if (workspace === null) return null;
  const known = Boolean(status?.channel || status?.chaincodeName || status?.mspId);
  return (
    <>
      <button
        className="status-meta sandbox-network"
        data-testid="connect-client-button"
        disabled={!connected}
        onClick={() => setOpen(true)}
        title="Channel · chaincode · MSP ID. Click to connect a client: the Gateway endpoint, a client identity and a connection profile for your own Fabric application"
      >
        {known ? null : 'Connect a client'}
        {status?.channel ? (
          <span className="mono" data-testid="status-channel">
            {status.channel}
          </span>
        ) : null}
        {status?.chaincodeName ? (
          <span className="mono" data-testid="status-chaincode-name">
            {status.chaincodeName}
          </span>
        ) : null}
        {status?.mspId ? (
          <span className="mono" data-testid="status-msp-id">
            {status.mspId}
          </span>
        ) : null}
      </button>
      {open ? <ConnectClientDialog onClose={() => setOpen(false)} /> : null}
    </>
  );
}
