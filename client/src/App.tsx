import { useState } from 'react';
import { BottomPanel } from './components/BottomPanel.tsx';
import { CodeEditor } from './components/CodeEditor.tsx';
import { ConnectionBanner } from './components/ConnectionBanner.tsx';
import { EditorTabs } from './components/EditorTabs.tsx';
import { FileTree } from './components/FileTree.tsx';
import { Notices } from './components/Notices.tsx';
import { Overlays } from './components/Overlays.tsx';
import { PausedBanner } from './components/PausedBanner.tsx';
import { RunBlockedBanner } from './components/RunBlockedBanner.tsx';
import { SidePanel } from './components/SidePanel.tsx';
import { Splitter } from './components/Splitter.tsx';
import { Toolbar } from './components/Toolbar.tsx';
import { WelcomeView } from './components/WelcomeView.tsx';

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** The IDE's layout: toolbar, file tree, editor with bottom panel, side panel. */
export function App() {
  const [leftPx, setLeftPx] = useState(240);
  const [rightPx, setRightPx] = useState(360);
  const [bottomPx, setBottomPx] = useState(230);
  return (
    <div className="app" style={{ gridTemplateColumns: `${leftPx}px 4px minmax(300px, 1fr) 4px ${rightPx}px` }}>
      <Toolbar />
      <ConnectionBanner />
      <FileTree />
      <Splitter direction="vertical" onDrag={(d) => setLeftPx((w) => clamp(w + d, 160, 520))} />
      <main className="centre">
        <EditorTabs />
        <RunBlockedBanner />
        <PausedBanner />
        <CodeEditor />
        <Splitter direction="horizontal" onDrag={(d) => setBottomPx((h) => clamp(h - d, 80, 700))} />
        <BottomPanel heightPx={bottomPx} />
        <WelcomeView />
      </main>
      <Splitter direction="vertical" onDrag={(d) => setRightPx((w) => clamp(w - d, 260, 640))} />
      <SidePanel />
      <Notices />
      <Overlays />
    </div>
  );
}
