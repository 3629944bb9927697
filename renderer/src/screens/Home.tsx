// Home: a large drop zone (or Open...), a path field, recent models and the demo model.

import { useState, type DragEvent } from 'react';

import type { PickedFile } from '../api/host';
import { ErrorNote } from '../components/ErrorNote';
import { toUiError, type UiError } from '../store/errors';
import { useApp, useHost } from '../store/provider';
import { baseName } from '../store/deps';

export function Home() {
  const host = useHost();
  const open = useApp((s) => s.model.open);
  const openDemo = useApp((s) => s.model.openDemo);
  const recent = useApp((s) => s.model.recent);
  const forget = useApp((s) => s.model.forget);
  const modelError = useApp((s) => s.model.error);
  const loading = useApp((s) => s.model.status === 'loading');
  const go = useApp((s) => s.ui.go);
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<UiError | undefined>();
  const [typed, setTyped] = useState('');

  const openPicked = async (p: PickedFile | null) => {
    if (!p) return;
    go('model');
    await open({ path: p.path, name: p.name, source: p.source });
  };

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    setError(undefined);
    const file = e.dataTransfer.files[0];
    if (!file) return;
    if (!/\.onnx$/i.test(file.name)) {
      setError(toUiError('Opening the dropped file', new Error(`${file.name} is not an .onnx file: drop an ONNX model (opset 7-18)`)));
      return;
    }
    try {
      setBusy(host.kind === 'browser' ? `Uploading ${file.name}…` : `Opening ${file.name}…`);
      await openPicked(await host.dropped(file));
    } catch (err) {
      setError(toUiError(`Opening ${file.name}`, err));
    } finally {
      setBusy(undefined);
    }
  };

  const onOpen = async () => {
    setError(undefined);
    try {
      setBusy('Choosing a model…');
      await openPicked(await host.pickModel());
    } catch (err) {
      setError(toUiError('Opening the model', err));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div className="content-inner">
      <header className="page-head">
        <div>
          <h1>Quantize a model to INT8</h1>
          <p>Drop an ONNX model, calibrate it on your data, compare FP32 and INT8 side by side, and export a compiled .so.</p>
        </div>
      </header>

      <section
        className={`dropzone${over ? ' over' : ''}`}
        data-testid="dropzone"
        aria-label="Drop an ONNX model here"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => void onDrop(e)}
      >
        <div className="dropzone-icon" aria-hidden="true">
          ⇣
        </div>
        <h2>Drop an .onnx model here</h2>
        <p className="muted">{host.kind === 'browser' ? 'It is copied into this session’s workspace on this machine; nothing leaves it.' : 'The file is read where it is.'}</p>
        <div className="row" style={{ justifyContent: 'center' }}>
          <button type="button" className="btn primary large" onClick={() => void onOpen()} disabled={!!busy}>
            Open…
          </button>
          <button
            type="button"
            className="btn large"
            disabled={!!busy || loading}
            onClick={() => {
              go('model');
              void openDemo();
            }}
          >
            Try the demo model
          </button>
        </div>
        {busy ? (
          <p className="muted small" role="status">
            {busy}
          </p>
        ) : null}
      </section>

      <ErrorNote error={error ?? modelError} />

      <div className="grid-2">
        <section className="card" aria-labelledby="recent-h">
          <div className="card-head">
            <h3 id="recent-h">Recent models</h3>
          </div>
          {recent.length === 0 ? (
            <p className="muted small">Models you open appear here.</p>
          ) : (
            <ul className="recent">
              {recent.map((r) => (
                <li key={r.path}>
                  <button
                    type="button"
                    className="open"
                    aria-label={`Open ${r.name}`}
                    onClick={() => {
                      go('model');
                      void open(r);
                    }}
                  >
                    {r.name} {r.source === 'demo' ? <span className="badge">demo</span> : null}
                    <span className="path">{r.path}</span>
                  </button>
                  <button type="button" className="btn ghost" aria-label={`Remove ${r.name} from recent models`} onClick={() => forget(r.path)}>
                    ✕
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="path-h">
          <div className="card-head">
            <h3 id="path-h">Open a path on this machine</h3>
          </div>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              const p = typed.trim();
              if (!p) return;
              go('model');
              void open({ path: p, name: baseName(p), source: 'path' });
            }}
          >
            <div className="field">
              <label htmlFor="model-path">Model file</label>
              <input id="model-path" className="input mono" placeholder="/home/me/models/resnet18.onnx" value={typed} onChange={(e) => setTyped(e.target.value)} />
            </div>
            <div>
              <button type="submit" className="btn" disabled={!typed.trim()}>
                Open path
              </button>
            </div>
          </form>
          <p className="muted small">The demo is a small ResNet-style CNN trained on Fashion-MNIST (92.4% top-1), bundled with 1,000 labelled test images.</p>
        </section>
      </div>
    </div>
  );
}
