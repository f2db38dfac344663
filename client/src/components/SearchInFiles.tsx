import { useEffect, useState } from 'react';
import type { FileSearchResult } from '../../../protocol/messages.ts';
import { searchDebounceMs } from '../config.ts';
import { describeError } from '../rpc/rpcError.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { Palette } from './Palette.tsx';

/**
 * Search across files (Ctrl+Shift+F): the server looks through the workspace's saved files as you
 * type; Enter opens the file at the matching line.
 */
export function SearchInFiles({ onClose }: { onClose: () => void }) {
  const controller = useController();
  const { rpc } = controller.deps;
  const workspace = useStudio((s) => s.workspace);
  const [query, setQuery] = useState('');
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [result, setResult] = useState<FileSearchResult | null>(null);
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });

  useEffect(() => {
    if (!workspace || query.trim() === '') {
      setResult(null);
      return undefined;
    }
    let live = true;
    const timer = setTimeout(() => {
      setState({ busy: true, error: null });
      rpc.request('file/search', { workspace, query, caseSensitive }).then(
        (found) => {
          if (!live) return;
          setResult(found);
          setState({ busy: false, error: null });
        },
        (err: unknown) => {
          if (!live) return;
          const { code, message } = describeError(err);
          setState({ busy: false, error: `${message} (${code})` });
        },
      );
    }, searchDebounceMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [rpc, workspace, query, caseSensitive]);

  const matches = result?.matches ?? [];
  const pick = (index: number): void => {
    const m = matches[index];
    if (!m) return;
    onClose();
    void controller.files.open(m.path, { line: m.line, column: m.column });
  };
  const files = new Set(matches.map((m) => m.path)).size;
  const status = state.error
    ? state.error
    : state.busy && !result
      ? 'Searching…'
      : result
        ? matches.length === 0
          ? 'No line holds this text (unsaved edits are not searched).'
          : `${matches.length}${result.truncated ? '+' : ''} lines in ${files} file${files === 1 ? '' : 's'}${result.truncated ? ' (the first ones shown)' : ''}`
        : 'Searches the saved files of the workspace.';

  return (
    <Palette
      title="Search in files"
      testId="search-files"
      placeholder="Text to find in every file"
      query={query}
      onQuery={setQuery}
      onPick={pick}
      onClose={onClose}
      status={status}
      options={
        <label className="toggle">
          <input type="checkbox" data-testid="search-files-case" checked={caseSensitive} onChange={(e) => setCaseSensitive(e.target.checked)} />
          Match case
        </label>
      }
      items={matches.map((m) => ({
        key: `${m.path}:${m.line}`,
        label: `${m.path} line ${m.line}: ${m.preview}`,
        content: (
          <>
            <span className="palette-name mono">{m.preview}</span>
            <span className="palette-detail">
              {m.path}:{m.line}
            </span>
          </>
        ),
      }))}
    />
  );
}
