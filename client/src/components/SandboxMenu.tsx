import { useState } from 'react';
import { workspaceZipPath } from '../../../protocol/messages.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { ConfirmActionDialog, type ConfirmActionProps } from './ConfirmActionDialog.tsx';
import { ContextMenu } from './ContextMenu.tsx';
import { Icon } from './Icon.tsx';

type Action = 'stop' | 'reset' | 'delete';

/**
 * The toolbar's Sandbox menu: the actions beyond stopping the chaincode. Stop
 * sandbox (frees a running-sandbox slot), Reset ledger and Delete workspace,
 * each confirmed in a dialog that says what it keeps and what it loses.
 */
export function SandboxMenu() {
  const controller = useController();
  const workspace = useStudio((s) => s.workspace);
  const phase = useStudio((s) => s.status?.phase ?? 'absent');
  const busy = useStudio((s) => s.busy);
  const connected = useStudio((s) => s.connection === 'open');
  const [menuAt, setMenuAt] = useState<{ x: number; y: number } | null>(null);
  const [confirming, setConfirming] = useState<Action | null>(null);

  const sandboxUp = phase !== 'absent' && phase !== 'stopped' && phase !== 'stopping';
  const dialogs = (name: string): Record<Action, Omit<ConfirmActionProps, 'onClose'>> => ({
    stop: {
      title: `Stop the sandbox of ${name}?`,
      keeps: ['Your files, breakpoints and exports', 'The ledger: every asset and block; Run starts the sandbox again with it'],
      loses: ['The running chaincode, and any transaction still waiting for an answer'],
      note: 'A stopped sandbox no longer counts against the running-sandbox limit.',
      confirmLabel: 'Stop sandbox',
      onConfirm: () => void controller.workspace.stopSandbox(),
    },
    reset: {
      title: `Reset the ledger of ${name}?`,
      keeps: ['Your files, breakpoints and exports'],
      loses: ['The ledger: every asset, key and block written so far', 'The sandbox itself; the next Run creates a fresh one (as slow as the first Run)'],
      confirmLabel: 'Reset ledger',
      danger: true,
      onConfirm: () => void controller.workspace.resetLedger(),
    },
    delete: {
      title: `Delete the workspace ${name}?`,
      keeps: ['Nothing of it on this server'],
      loses: ['Every file of the workspace', 'Its sandbox and ledger', 'Its exported packages', 'Links that open only this workspace'],
      note: (
        <>
          To keep the code,{' '}
          <a href={controller.deps.downloadHref(workspaceZipPath(name))} download data-testid="confirm-download-sources">
            download its sources (.zip)
          </a>{' '}
          first.
        </>
      ),
      confirmLabel: `Delete ${name}`,
      danger: true,
      onConfirm: () => void controller.workspace.deleteWorkspace(),
    },
  });

  return (
    <>
      <button
        className="btn"
        data-testid="sandbox-menu"
        disabled={!connected || workspace === null || busy !== null}
        aria-haspopup="menu"
        title="Stop the sandbox, reset its ledger, or delete the workspace"
        onClick={(e) => {
          const box = e.currentTarget.getBoundingClientRect();
          setMenuAt({ x: box.left, y: box.bottom + 2 });
        }}
      >
        Sandbox <Icon name="chevronDown" />
      </button>
      {menuAt ? (
        <ContextMenu
          x={menuAt.x}
          y={menuAt.y}
          onClose={() => setMenuAt(null)}
          items={[
            {
              label: 'Stop sandbox…',
              testId: 'sandbox-stop',
              disabled: !sandboxUp,
              title: sandboxUp ? 'Stop the container; files and ledger are kept' : 'The sandbox is not running',
              run: () => setConfirming('stop'),
            },
            { label: 'Reset ledger…', testId: 'sandbox-reset', disabled: phase === 'absent', title: 'Remove the sandbox and its ledger', run: () => setConfirming('reset') },
            { label: 'Delete workspace…', testId: 'workspace-delete', danger: true, run: () => setConfirming('delete') },
          ]}
        />
      ) : null}
      {confirming && workspace ? <ConfirmActionDialog {...dialogs(workspace)[confirming]} onClose={() => setConfirming(null)} /> : null}
    </>
  );
}
