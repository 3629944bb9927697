// Wizard step 2: preprocessing (size, channels, mean/std), with the resulting tensor's range.

import { ErrorNote } from '../components/ErrorNote';
import { Stat } from '../components/Stat';
import { useApp } from '../store/provider';

export function PreprocessStep() {
  const p = useApp((s) => s.calibration.preprocess);
  const set = useApp((s) => s.calibration.setPreprocess);
  const load = useApp((s) => s.calibration.loadPreview);
  const preview = useApp((s) => s.calibration.preview);
  const status = useApp((s) => s.calibration.previewStatus);
  const error = useApp((s) => s.calibration.previewError);
  const input = useApp((s) => s.model.summary?.inputs[0]);
  return (
    <div className="stack">
      <section className="card">
        <p className="muted small">
          Applied to every item in this order: resize to cover the size and crop the centre, convert the channels, scale pixels to [0, 1], then (x − mean) / std. The model’s input{' '}
          <code>{input?.name}</code> is <code>[{input?.shape?.join(', ') ?? '?'}]</code>.
        </p>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void load();
          }}
        >
          <div className="fields">
            <div className="field">
              <label htmlFor="pre-size">Size (height, width)</label>
              <input id="pre-size" className="input" value={p.size} placeholder="keep the data's size" onChange={(e) => set({ size: e.target.value })} />
              <span className="help">Blank keeps each item’s own size.</span>
            </div>
            <div className="field">
              <label htmlFor="pre-color">Channels</label>
              <select id="pre-color" className="input" value={p.color} onChange={(e) => set({ color: e.target.value as typeof p.color })}>
                <option value="">as the data has them</option>
                <option value="gray">gray (1 channel)</option>
                <option value="rgb">RGB (3 channels)</option>
                <option value="bgr">BGR (3 channels)</option>
              </select>
              <span className="help">Gray from colour uses BT.601 luma.</span>
            </div>
            <div className="field">
              <label htmlFor="pre-mean">Mean (per channel)</label>
              <input id="pre-mean" className="input" value={p.mean} placeholder="0" onChange={(e) => set({ mean: e.target.value })} />
              <span className="help">On the [0, 1] scale, e.g. 0.485, 0.456, 0.406.</span>
            </div>
            <div className="field">
              <label htmlFor="pre-std">Std (per channel)</label>
              <input id="pre-std" className="input" value={p.std} placeholder="1" onChange={(e) => set({ std: e.target.value })} />
              <span className="help">e.g. 0.229, 0.224, 0.225.</span>
            </div>
          </div>
          <div>
            <button type="submit" className="btn primary" disabled={status === 'loading'}>
              Apply and measure
            </button>
          </div>
        </form>
      </section>
      <ErrorNote error={error} />
      {status === 'loading' ? (
        <p className="muted" role="status">
          Measuring…
        </p>
      ) : null}
      {preview && status === 'ready' ? (
        <section className="card" aria-labelledby="tensor-h">
          <div className="card-head">
            <h3 id="tensor-h">Resulting tensor</h3>
            <p>over the first {preview.stats.count} items</p>
          </div>
          <div className="stats">
            <Stat label="Item shape" value={preview.itemDims.join(' × ')} />
            <Stat label="Min" value={preview.stats.min.toFixed(4)} />
            <Stat label="Max" value={preview.stats.max.toFixed(4)} />
            <Stat label="Mean" value={preview.stats.mean.toFixed(4)} />
            <Stat label="Std" value={preview.stats.std.toFixed(4)} />
          </div>
          {preview.problem ? (
            <div className="note error" role="alert">
              <strong>Does not fit the model yet</strong>
              <span className="msg">{preview.problem}</span>
            </div>
          ) : (
            <div className="note ok">
              <strong>Fits the model’s input</strong>
              <span className="muted small">A normalised input usually has a mean near 0 and a std near 1.</span>
            </div>
          )}
        </section>
      ) : null}
    </div>
  );
}
