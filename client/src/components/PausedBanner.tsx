import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

const reasons = {
  breakpoint: 'on a breakpoint',
  step: 'after a step',
  exception: 'on an exception',
  pause: 'on pause',
  entry: 'on entry',
} as const;

/** "Paused in <txId>" with the reason, above the editor while the chaincode is paused. */
export function PausedBanner() {
  const controller = useController();
  const paused = useStudio((s) => s.paused);
  if (!paused) return null;
  const where = paused.txId ? `Paused in ${paused.txId.slice(0, 16)}${paused.txId.length > 16 ? '…' : ''}` : 'Paused';
  return (
    <div className={`paused-banner ${paused.reason}`} data-testid="paused-banner" data-reason={paused.reason} data-txid={paused.txId ?? ''}>
      <span className="paused-title" title={paused.txId}>
        {where}
      </span>
      <span className="paused-reason">
        {reasons[paused.reason]}
        {paused.description && paused.description !== paused.reason ? ` — ${paused.description}` : ''}
        {paused.text ? `: ${paused.text}` : ''}
      </span>
      <span className="toolbar-spacer" />
      <button className="btn small" onClick={() => void controller.debug.step('continue')} title="Continue (F5)">
        <Icon name="continue" /> Continue
      </button>
    </div>
  );
}
