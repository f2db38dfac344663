import type { ReactNode } from 'react';

/** What an action keeps and what it loses, so the user decides knowing both. */
export interface ConfirmActionProps {
  title: string;
  keeps: ReactNode[];
  loses: ReactNode[];
  /** A line under the lists (e.g. what it frees, or a download to make first). */
  note?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}

/** A confirmation that says, before anything happens, what stays and what goes. */
export function ConfirmActionDialog({ title, keeps, loses, note, confirmLabel, danger, onConfirm, onClose }: ConfirmActionProps) {
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div
        className="modal confirm-action"
        role="dialog"
        aria-label={title}
        data-testid="confirm-action-dialog"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <h2>{title}</h2>
        <div className="keeps-loses">
          <div data-testid="confirm-keeps">
            <div className="subhead">Keeps</div>
            <ul>
              {keeps.map((k, i) => (
                <li key={i}>{k}</li>
              ))}
            </ul>
          </div>
          <div data-testid="confirm-loses">
            <div className="subhead">Loses</div>
            <ul>
              {loses.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          </div>
        </div>
        {note ? <p className="muted small">{note}</p> : null}
        <div className="modal-actions">
          <button type="button" className="btn" data-testid="confirm-cancel" autoFocus onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className={`btn ${danger ? 'danger' : 'primary'}`}
            data-testid="confirm-action"
            onClick={() => {
              onClose();
              onConfirm();
            }}
          >
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
