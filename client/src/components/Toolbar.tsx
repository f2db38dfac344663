import { useState } from 'react';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { CreateWorkspaceDialog } from './CreateWorkspaceDialog.tsx';
import { ExportDialog } from './ExportDialog.tsx';
import { Icon } from './Icon.tsx';
import { SandboxMenu } from './SandboxMenu.tsx';
import { SandboxNetworkInfo } from './SandboxNetworkInfo.tsx';
import { SandboxPill } from './SandboxPill.tsx';

/** The top bar: product name, workspace picker, Run / Restart / Stop, restart-on-save, sandbox state. */
export function Toolbar() {
  const controller = useController();
  const workspace = useStudio((s) => s.workspace);
  const workspaces = useStudio((s) => s.workspaces);
  const busy = useStudio((s) => s.busy);
  const chaincode = useStudio((s) => s.status?.chaincode ?? 'stopped');
  const restartOnSave = useStudio((s) => s.restartOnSave);
  const connected = useStudio((s) => s.connection === 'open');
  const [creating, setCreating] = useState(false);
  const [exporting, setExporting] = useState(false);

  const running = chaincode === 'running' || chaincode === 'starting' || chaincode === 'compiling';
  const canAct = connected && workspace !== null && busy === null;

  return (
    <header className="toolbar">
      <div className="brand">
        <span className="brand-mark">◆</span> Chaincode Studio
      </div>
      <div className="toolbar-group">
        <select
          className="workspace-select"
          data-testid="workspace-select"
          aria-label="Workspace"
          value={workspace ?? ''}
          onChange={(e) => e.target.value && void controller.workspace.open(e.target.value)}
        >
          <option value="" disabled>
            Open a workspace…
          </option>
          {workspaces.map((w) => (
            <option key={w.id} value={w.id}>
              {w.id} · {w.language === 'typescript' ? 'TS' : w.language === 'go' ? 'Go' : 'JS'}
            </option>
          ))}
        </select>
        <button className="btn" data-testid="workspace-new" disabled={!connected} onClick={() => setCreating(true)} title="New workspace from a sample">
          <Icon name="plus" /> New
        </button>
      </div>
      <div className="toolbar-group">
        <button
          className="btn run"
          data-testid="run-button"
          disabled={!canAct}
          onClick={() => void controller.workspace.run()}
          title="Save all, compile, start the sandbox if needed and run the chaincode under the debugger"
        >
          <Icon name="play" /> {busy === 'run' ? 'Running…' : 'Run'}
        </button>
        <button className="btn" data-testid="restart-button" disabled={!canAct || !running} onClick={() => void controller.workspace.run()} title="Restart the chaincode">
          <Icon name="restart" /> <span className="btn-label">Restart</span>
        </button>
        <button className="btn" data-testid="stop-button" disabled={!canAct || !running} onClick={() => void controller.workspace.stopChaincode()} title="Stop the chaincode; the sandbox keeps running (Sandbox ▸ Stop sandbox stops it)">
          <Icon name="stop" /> <span className="btn-label">Stop</span>
        </button>
        <SandboxMenu />
        <label className="toggle" title="Restart the chaincode each time a file is saved (takes effect from the next Run)">
          <input
            type="checkbox"
            data-testid="restart-on-save"
            checked={restartOnSave}
            onChange={(e) => controller.workspace.setRestartOnSave(e.target.checked)}
          />
          <span className="btn-label">Restart on save</span>
        </label>
      </div>
      <div className="toolbar-group">
        <button
          className="btn"
          data-testid="export-button"
          disabled={!connected || workspace === null}
          onClick={() => setExporting(true)}
          title="Export a Fabric chaincode package or a chaincode-as-a-service bundle"
        >
          <Icon name="download" /> <span className="btn-label">Export</span>
        </button>
      </div>
      <div className="toolbar-spacer" />
      <SandboxNetworkInfo />
      <SandboxPill />
      {creating ? <CreateWorkspaceDialog onClose={() => setCreating(false)} /> : null}
      {exporting ? <ExportDialog onClose={() => setExporting(false)} /> : null}
    </header>
  );
}
