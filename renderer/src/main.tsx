// Entry: picks the host (Electron's bridge when the preload put one there, else browser mode),
// builds the store on it and renders the window.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { createBrowserHost } from './api/browser-host';
import { createElectronHost } from './api/electron-host';
import type { AppHost } from './api/host';
import { App } from './App';
import { createAppStore } from './store';
import { AppProvider } from './store/provider';
import './theme/tokens.css';
import './theme/app.css';

const persist = {
  load(key: string): unknown {
    try {
      const v = localStorage.getItem(key);
      return v === null ? undefined : JSON.parse(v);
    } catch {
      return undefined;
    }
  },
  save(key: string, value: unknown): void {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // Storage full or disabled: recent models are a convenience.
    }
  },
};

async function start(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  let host: AppHost;
  try {
    host = window.quant ? await createElectronHost(window.quant) : await createBrowserHost();
  } catch (e) {
    root.render(
      <div className="content-inner" style={{ padding: 48 }}>
        <div className="note error" role="alert">
          <strong>Quant Workbench cannot reach its engine</strong>
          <span className="msg">{(e as Error).message}</span>
        </div>
      </div>,
    );
    return;
  }
  const store = createAppStore({ call: (m, p, o) => host.client.call(m, p, o), restartEngine: () => host.client.restartEngine(), session: host.session, persist, now: () => performance.now() });
  host.client.onEngineEvent((e) => store.getState().engine.onEvent(e));
  host.onMenu((cmd) => {
    const s = store.getState();
    if (cmd === 'go-home') s.ui.go('home');
    if (cmd === 'open-demo') {
      s.ui.go('model');
      void s.model.openDemo();
    }
    if (cmd === 'open-model') {
      void host.pickModel().then((p) => {
        if (!p) return;
        s.ui.go('model');
        void s.model.open({ path: p.path, name: p.name, source: p.source });
      });
    }
  });
  void store.getState().calibration.loadRuntime();
  root.render(
    <StrictMode>
      <AppProvider store={store} host={host}>
        <App />
      </AppProvider>
    </StrictMode>,
  );
}

void start();
