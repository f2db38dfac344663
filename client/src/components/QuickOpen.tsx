import { useMemo, useState } from 'react';
import { quickOpenResultsMax } from '../config.ts';
import { baseName, parentOf } from '../state/fileTree.ts';
import { rankPaths } from '../state/fuzzyMatch.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { Palette } from './Palette.tsx';
import { focusEditor } from './focusEditor.ts';

/** Quick open (Ctrl+P): type part of a file's path, pick it with the arrows, Enter opens it in the editor. */
export function QuickOpen({ onClose }: { onClose: () => void }) {
  const controller = useController();
  const files = useStudio((s) => s.files);
  const [query, setQuery] = useState('');
  const paths = useMemo(() => files.filter((f) => f.kind === 'file').map((f) => f.path), [files]);
  const ranked = useMemo(() => rankPaths(paths, query, quickOpenResultsMax), [paths, query]);

  const pick = (index: number): void => {
    const path = ranked[index];
    if (!path) return;
    onClose();
    void controller.files.open(path).then(focusEditor);
  };

  return (
    <Palette
      title="Go to file"
      testId="quick-open"
      placeholder="Type a file name (Enter opens, Escape closes)"
      query={query}
      onQuery={setQuery}
      onPick={pick}
      onClose={onClose}
      status={ranked.length === 0 ? (paths.length === 0 ? 'This workspace has no files.' : 'No file matches.') : undefined}
      items={ranked.map((path) => ({
        key: path,
        label: path,
        content: (
          <>
            <span className="palette-name">{baseName(path)}</span>
            <span className="palette-detail">{parentOf(path)}</span>
          </>
        ),
      }))}
    />
  );
}
