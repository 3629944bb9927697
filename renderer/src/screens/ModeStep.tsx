// Wizard step 3: the calibration method and the quantization options, each explained in one
// sentence; reduce range preset from this CPU with the reason.

import { useMemo, useState } from 'react';

import type { Method } from '../store/calibration-slice';
import { useApp } from '../store/provider';

const METHODS: { id: Method; title: string; help: string }[] = [
  { id: 'minmax', title: 'Min/max', help: 'Each tensor’s range is its smallest and largest value seen: fast, exact for the data, sensitive to outliers.' },
  { id: 'percentile', title: 'Percentile', help: 'The range covers the given percentile of absolute values, clipping rare outliers for finer steps.' },
  { id: 'entropy', title: 'Entropy (KL)', help: 'Picks the clipping threshold whose INT8 histogram loses the least information (KL divergence), as TensorRT does.' },
  { id: 'mse', title: 'MSE', help: 'Picks the threshold that minimises the mean squared error between FP32 values and their INT8 round trip.' },
  { id: 'custom', title: 'Custom thresholds', help: 'Reads each tensor’s range from a JSON file you give; no calibration data is needed.' },
];

export function ModeStep() {
  const m = useApp((s) => s.calibration.mode);
  const set = useApp((s) => s.calibration.setMode);
  const layers = useApp((s) => s.model.layers);
  const [filter, setFilter] = useState('');
  const candidates = useMemo(() => (layers ?? []).filter((l) => l.quantizable && !l.note?.startsWith('fused')), [layers]);
  const shown = candidates.filter((l) => !filter || l.name.toLowerCase().includes(filter.toLowerCase()) || l.op.toLowerCase().includes(filter.toLowerCase()));
  const toggle = (name: string, on: boolean) => set({ exclude: on ? [...m.exclude, name] : m.exclude.filter((n) => n !== name) });
  return (
    <div className="stack">
      <fieldset className="choices" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="visually-hidden">Calibration method</legend>
        {METHODS.map((x) => (
          <label key={x.id} className="choice">
            <input type="radio" name="method" value={x.id} checked={m.method === x.id} onChange={() => set({ method: x.id })} aria-label={x.title} aria-describedby={`method-${x.id}-help`} />
            <span className="title" aria-hidden="true">
              {x.title}
            </span>
            <span className="help" id={`method-${x.id}-help`}>
              {x.help}
            </span>
          </label>
        ))}
      </fieldset>

      <section className="card">
        <div className="fields">
          {m.method !== 'custom' ? (
            <div className="field">
              <label htmlFor="calib-count">Calibration samples</label>
              <input id="calib-count" className="input" inputMode="numeric" value={m.calibCount} onChange={(e) => set({ calibCount: e.target.value })} />
              <span className="help">The first N items of the data; a few hundred are usually enough.</span>
            </div>
          ) : null}
          {m.method === 'percentile' ? (
            <div className="field">
              <label htmlFor="percentile">Percentile P</label>
              <input id="percentile" className="input" inputMode="decimal" value={m.percentile} onChange={(e) => set({ percentile: e.target.value })} />
              <span className="help">99.99 keeps all but one value in ten thousand inside the range.</span>
            </div>
          ) : null}
          {m.method === 'custom' ? (
            <div className="field">
              <label htmlFor="thresholds">Thresholds file (JSON)</label>
              <input id="thresholds" className="input mono" value={m.thresholdsFile} placeholder="/path/thresholds.json" onChange={(e) => set({ thresholdsFile: e.target.value })} />
              <span className="help">{'{"tensor name": [min, max], ...}'} for every activation the model quantizes.</span>
            </div>
          ) : null}
        </div>
        <div className="choices">
          <label className="choice">
            <input type="checkbox" checked={m.perChannel} onChange={(e) => set({ perChannel: e.target.checked })} aria-label="Per-channel weights" aria-describedby="opt-perChannel-help" />
            <span className="title" aria-hidden="true">
              Per-channel weights
            </span>
            <span className="help" id="opt-perChannel-help">One scale per output channel of each weight, which keeps small channels accurate (recommended).</span>
          </label>
          <label className="choice">
            <input type="checkbox" checked={m.symmetric} onChange={(e) => set({ symmetric: e.target.checked })} aria-label="Symmetric activations" aria-describedby="opt-symmetric-help" />
            <span className="title" aria-hidden="true">
              Symmetric activations
            </span>
            <span className="help" id="opt-symmetric-help">s8 activations around zero instead of u8 with a zero point; simpler, a little less precise after ReLU.</span>
          </label>
          <label className="choice">
            <input type="checkbox" checked={m.reduceRange} onChange={(e) => set({ reduceRange: e.target.checked })} aria-label="Reduce range (7-bit weights)" aria-describedby="opt-reduceRange-help" />
            <span className="title" aria-hidden="true">
              Reduce range (7-bit weights)
            </span>
            <span className="help" id="opt-reduceRange-help">
              Preset for this CPU: {m.reduceRangeReason}
            </span>
          </label>
        </div>
      </section>

      <section className="card" aria-labelledby="keep-h">
        <div className="card-head">
          <h3 id="keep-h">Layers to keep in FP32</h3>
          <p>
            {m.exclude.length} of {candidates.length} kept in FP32
          </p>
        </div>
        <p className="muted small">A layer kept in FP32 costs speed but not accuracy; the Compare screen shows which layers lose the most.</p>
        <div className="field" style={{ maxWidth: 320 }}>
          <label htmlFor="keep-filter">Filter layers</label>
          <input id="keep-filter" className="input" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="name or op" />
        </div>
        <div className="exclude-list" role="group" aria-label="Layers to keep in FP32">
          {shown.map((l) => (
            <label key={l.name} title={l.name}>
              <input type="checkbox" checked={m.exclude.includes(l.name)} onChange={(e) => toggle(l.name, e.target.checked)} aria-label={`Keep ${l.name} (${l.op}) in FP32`} />
              <span>{l.name}</span>
              <span className="badge">{l.op}</span>
            </label>
          ))}
        </div>
      </section>
    </div>
  );
}
