import './zodConfig.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { createRpcClient } from './rpc/rpcClient.ts';
import { connectBrowserSocket } from './rpc/socket.ts';
import { downloadHref, socketUrl, takeAccessToken } from './rpc/token.ts';
import { createStudioController } from './controller/studioController.ts';
import { createPrefs } from './state/prefs.ts';
import { createStore } from './state/store.ts';
import { initialStudioState, studioReducer } from './state/studioState.ts';
import { StudioProvider } from './state/StudioContext.tsx';
import { createUnsavedEdits } from './state/unsavedEdits.ts';
import { queuedRequestTimeoutMs, reconnectInitialDelayMs, reconnectMaxDelayMs } from './config.ts';
import './styles.css';
import './stateViews.css';
import './ledger.css';

const token = takeAccessToken(window, window.sessionStorage);
const rpc = createRpcClient({
  url: socketUrl(window.location, token),
  connect: connectBrowserSocket,
  reconnectInitialDelayMs,
  reconnectMaxDelayMs,
  queuedRequestTimeoutMs,
});
const prefs = createPrefs(window.localStorage);
const store = createStore(studioReducer, initialStudioState(prefs.restartOnSave()));
const controller = createStudioController({
  rpc,
  store,
  prefs,
  unsaved: createUnsavedEdits(window.localStorage),
  downloadHref: (path) => downloadHref(path, token),
});
controller.start(new URLSearchParams(window.location.search).get('workspace'));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <StudioProvider controller={controller}>
      <App />
    </StudioProvider>
  </StrictMode>,
);
