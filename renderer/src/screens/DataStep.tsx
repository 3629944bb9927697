// Wizard step 1: calibration data (the bundled sample, or a file/folder), with a preview of the
// first items and the labels found.

import { useState } from 'react';

import { ErrorNote } from '../components/ErrorNote';
import { toUiError, type UiError } from '../store/errors';
import { useApp, useHost } from '../store/provider';
import { formatCount } from '../store/selectors';
import { pickFiles } from '../api/host';

export function DataStep() {
  const host = useHost();
  const c = useApp((s) => s.calibration);
  const [uploadError, setUploadError] = useState<UiError | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const preview = c.preview;

  const chooseFile = async (which: 'data' | 'labels') => {
    setUploadError(undefined);
    try {
      setBusy('Choosing a file…');
      const f = await host.chooseFile(which === 'data' ? 'Calibration data (IDX, .npy)' : 'Labels (IDX or .npy)');
      if (f) which === 'data' ? c.usePath(f.path, c.labels) : c.usePath(c.data, f.path);
    } catch (e) {
      setUploadError(toUiError('Uploading the file', e));
    } finally {
      setBusy(undefined);
    }
  };
  const chooseFolder = async () => {
    setUploadError(undefined);
    try {
      if (host.kind === 'electron') {
        const p = await host.chooseFolder('Image folder (one subfolder per class)', c.data || undefined);
        if (p) c.usePath(p);
        return;
      }
      const files = await pickFiles('image/*', true);
      if (files.length === 0) return;
      setBusy(`Uploading ${files.length} images…`);
      c.usePath(await host.droppedFolder(files.map((f) => ({ file: f, relativePath: f.webkitRelativePath || f.name }))));
    } catch (e) {
      setUploadError(toUiError('Uploading the folder', e));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div className="stack">
      <fieldset className="choices" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="visually-hidden">Calibration data</legend>
        <label className="choice">
          <input type="radio" name="data-source" checked={c.source === 'sample'} onChange={() => void c.useSample()} aria-label="Bundled sample" aria-describedby="src-sample-help" />
          <span className="title" aria-hidden="true">
            Bundled sample
          </span>
          <span className="help" id="src-sample-help">1,000 labelled Fashion-MNIST test images (28×28 gray) that ship with the demo model.</span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="data-source"
            checked={c.source === 'path'}
            onChange={() => c.usePath(c.source === 'sample' ? '' : c.data, c.source === 'sample' ? '' : c.labels)}
            aria-label="Your data"
            aria-describedby="src-path-help"
          />
          <span className="title" aria-hidden="true">
            Your data
          </span>
          <span className="help" id="src-path-help">An image folder (one subfolder per class), an IDX file, or a .npy array, with its labels.</span>
        </label>
      </fieldset>

      {c.source === 'path' ? (
        <div className="card">
          <div className="fields">
            <div className="field">
              <label htmlFor="calib-data">Data (file or folder on this machine)</label>
              <input id="calib-data" className="input mono" value={c.data} placeholder="/data/imagenet-val or images.idx.gz" onChange={(e) => c.usePath(e.target.value, c.labels)} />
            </div>
            <div className="field">
              <label htmlFor="calib-labels">Labels (IDX/.npy data; folders name their classes)</label>
              <input id="calib-labels" className="input mono" value={c.labels} placeholder="optional" onChange={(e) => c.usePath(c.data, e.target.value)} />
            </div>
          </div>
          <div className="row">
            <button type="button" className="btn" onClick={() => void chooseFile('data')} disabled={!!busy}>
              {host.kind === 'browser' ? 'Upload a data file…' : 'Choose a data file…'}
            </button>
            <button type="button" className="btn" onClick={() => void chooseFolder()} disabled={!!busy}>
              {host.kind === 'browser' ? 'Upload an image folder…' : 'Choose an image folder…'}
            </button>
            <button type="button" className="btn" onClick={() => void chooseFile('labels')} disabled={!!busy}>
              {host.kind === 'browser' ? 'Upload labels…' : 'Choose labels…'}
            </button>
            <button type="button" className="btn primary" onClick={() => void c.loadPreview()} disabled={!c.data || c.previewStatus === 'loading'}>
              Preview
            </button>
          </div>
          {busy ? (
            <p className="muted small" role="status">
              {busy}
            </p>
          ) : null}
        </div>
      ) : null}

      <ErrorNote error={uploadError} />
      <ErrorNote error={c.previewError} />
      {c.previewStatus === 'loading' ? (
        <p className="muted" role="status">
          Reading the data…
        </p>
      ) : null}

      {preview && c.previewStatus === 'ready' ? (
        <section className="card" aria-labelledby="preview-h">
          <div className="card-head">
            <h3 id="preview-h">Preview</h3>
            <p>
              {formatCount(preview.total)} items · {preview.kind === 'folder' ? 'image folder' : preview.kind.toUpperCase()} · each {preview.itemDims.join('×')} after preprocessing
            </p>
          </div>
          {preview.problem ? (
            <div className="note error" role="alert">
              <strong>This data does not fit the model</strong>
              <span className="msg">{preview.problem}</span>
              <span className="muted small">Set the size and channels on the next step.</span>
            </div>
          ) : null}
          <ul className="thumbs" aria-label="Sample images">
            {preview.samples.map((s) => (
              <li key={s.index}>
                <figure>
                  <img src={s.thumbnail} alt={`item ${s.index}${s.labelName ? `, ${s.labelName}` : s.label !== undefined ? `, label ${s.label}` : ''}`} />
                  <figcaption>{s.labelName ?? (s.label !== undefined ? `label ${s.label}` : `#${s.index}`)}</figcaption>
                </figure>
              </li>
            ))}
          </ul>
          <div className="stack" style={{ gap: 'var(--space-2)' }}>
            <h4>
              {preview.hasLabels ? `Labels found: ${preview.labels.length} classes` : 'No labels: accuracy cannot be measured (agreement with FP32 still can)'}
              {preview.hasLabels ? <span className="muted small"> (in the first {preview.stats.count} items)</span> : null}
            </h4>
            {preview.hasLabels ? (
              <ul className="label-list" aria-label="Labels found">
                {preview.labels.map((l) => (
                  <li key={l.label} className="badge">
                    {l.name ?? `label ${l.label}`}: {l.count}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        </section>
      ) : null}
    </div>
  );
}
