import type { SandboxPhase } from '../../../protocol/messages.ts';
import { useStudio } from '../state/StudioContext.tsx';

const phaseLabels: Record<SandboxPhase, string> = {
  absent: 'No sandbox',
  'building-image': 'Building image',
  creating: 'Creating',
  starting: 'Starting',
  ready: 'Ready',
  stopping: 'Stopping',
  stopped: 'Stopped',
  error: 'Error',
};

/** The sandbox phase, always visible, with the progress text while it is getting ready. */
export function SandboxPill() {
  const status = useStudio((s) => s.status);
  const progress = useStudio((s) => s.progress);
  const phase = status?.phase ?? 'absent';
  const busy = phase === 'building-image' || phase === 'creating' || phase === 'starting' || phase === 'stopping';
  const detail = progress && busy ? `${progress.message}${progress.percent !== undefined ? ` ${Math.round(progress.percent)}%` : ''}` : (status?.message ?? '');
  return (
    <div className="status-group">
      <span className={`pill pill-${phase}`} data-testid="sandbox-state" data-phase={phase} title={status?.message ?? phaseLabels[phase]}>
        <span className={busy ? 'pill-dot spinning' : 'pill-dot'} />
        {phaseLabels[phase]}
      </span>
      {detail ? (
        <span className="status-detail" data-testid="sandbox-progress" title={detail}>
          {detail}
        </span>
      ) : null}
      {status?.fabricVersion ? (
        <span className="status-meta" data-testid="fabric-version">
          Fabric {status.fabricVersion}
        </span>
      ) : null}
      {status ? (
        <span
          className={`status-meta cc-${status.chaincode}${status.previousBuild ? ' cc-previous-build' : ''}`}
          data-testid="chaincode-state"
          data-state={status.chaincode}
          data-previous-build={status.previousBuild ? 'true' : undefined}
          title={status.previousBuild}
        >
          chaincode: {status.chaincode}
          {status.previousBuild && status.chaincode === 'running' ? ' (previous build)' : ''}
        </span>
      ) : null}
    </div>
  );
}
