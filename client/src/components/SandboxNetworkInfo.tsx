import { useState } from 'react';
import { useStudio } from '../state/StudioContext.tsx';
import { ConnectClientDialog } from './ConnectClientDialog.tsx';

/** The sandbox's channel, chaincode name and MSP ID in the status bar, and the way to connect a client of one's own. */
export function SandboxNetworkInfo() {
  const workspace = useStudio((s) => s.workspace);
  const status = useStudio((s) => s.status);
  const connected = useStudio((s) => s.connection === 'open');
  const [open, setOpen] = useState(false);
  if (!workspace) return null;
  return (
    <div className="status-group">
      {status?.channel ? (
        <span className="status-meta" data-testid="status-channel" title="The sandbox's channel">
          channel: <span className="mono">{status.channel}</span>
        </span>
      ) : null}
      {status?.chaincodeName ? (
        <span className="status-meta" data-testid="status-chaincode-name" title="The chaincode name clients call">
          chaincode: <span className="mono">{status.chaincodeName}</span>
        </span>
      ) : null}
      {status?.mspId ? (
        <span className="status-meta" data-testid="status-msp-id" title="The MSP ID of the sandbox's org">
          MSP: <span className="mono">{status.mspId}</span>
        </span>
      ) : null}
      <button
        className="btn"
        data-testid="connect-client-button"
        disabled={!connected}
        onClick={() => setOpen(true)}
        title="The Gateway endpoint, a client identity and a connection profile for your own Fabric application"
      >
        Connect a client
      </button>
      {open ? <ConnectClientDialog onClose={() => setOpen(false)} /> : null}
    </div>
  );
}
