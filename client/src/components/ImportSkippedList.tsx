import type { ImportSkipped, ImportSkipReason } from '../../../protocol/workspaceImport.ts';
import { maxFileBytes } from '../../../protocol/workspaceLimits.ts';

const reasonWords: Record<ImportSkipReason, string> = {
  dependencies: 'dependencies: Run installs them from package.json',
  'build-output': 'build output: Run compiles afresh',
  'version-control': 'version control',
  'test-output': 'test output',
  'os-metadata': 'operating-system files',
  log: 'log file',
  secret: 'may hold secrets (.env files stay with you)',
  'unsafe-path': 'unsafe path (outside the project)',
  link: 'link: only regular files are imported',
  special: 'not a regular file',
  binary: 'not a text file',
  'too-large': `over ${maxFileBytes / 1024 / 1024} MB, the limit of one file`,
  duplicate: 'the same path twice',
  reserved: 'reserved for the studio',
};

/** What an import left out, one line a folder or file, with the reason in words. */
export function ImportSkippedList({ skipped }: { skipped: readonly ImportSkipped[] }) {
  if (skipped.length === 0) return <p className="muted small">Nothing was left out.</p>;
  const total = skipped.reduce((sum, s) => sum + s.files, 0);
  return (
    <details className="import-skipped" data-testid="import-skipped" open={skipped.length <= 6}>
      <summary>
        Left out: {total} {total === 1 ? 'file' : 'files'}
      </summary>
      <ul>
        {skipped.map((s) => (
          <li key={`${s.reason}:${s.path}`} data-testid="import-skipped-item" data-path={s.path} data-reason={s.reason}>
            <span className="mono">{s.path}</span>
            {s.files > 1 ? ` (${s.files} files)` : ''} — {reasonWords[s.reason]}
          </li>
        ))}
      </ul>
    </details>
  );
}
