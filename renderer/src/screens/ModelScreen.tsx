// Model: what the file is (summary, inputs/outputs), what it is made of (op histogram, layer table)
// and, before anything else, what cannot run (unsupported ops, problems).

import { useMemo, useState } from 'react';

import { OpHistogramChart } from '../charts/OpHistogramChart';
import { ErrorNote } from '../components/ErrorNote';
import { Stat } from '../components/Stat';
import { useApp } from '../store/provider';
import { formatBytes, formatCount, selectLayerRows, selectOpHistogram } from '../store/selectors';

const dims = (d: (number | string)[] | null) => (d ? `[${d.join(', ')}]` : 'unknown');

export function ModelScreen() {
  const summary = useApp((s) => s.model.summary);
  const layers = useApp((s) => s.model.layers);
  const ref = useApp((s) => s.model.ref);
  const status = useApp((s) => s.model.status);
  const error = useApp((s) => s.model.error);
  const go = useApp((s) => s.ui.go);
  const [query, setQuery] = useState('');
  const histogram = useMemo(() => selectOpHistogram(summary), [summary]);
  const rows = useMemo(() => selectLayerRows(layers, query), [layers, query]);

  if (status === 'loading') {
    return (
      <div className="content-inner">
        <h1>{ref?.name ?? 'Model'}</h1>
        <p className="muted" role="status">
          Reading the model…
        </p>
      </div>
    );
  }
  if (!summary || !ref) {
    return (
      <div className="content-inner">
        <h1>Model</h1>
        <ErrorNote error={error} />
        <div>
          <button type="button" className="btn" onClick={() => go('home')}>
            Back to Home
          </button>
        </div>
      </div>
    );
  }
  const quantizable = layers?.filter((l) => l.quantizable && !l.note?.startsWith('fused')).length ?? 0;
  const blocked = summary.unsupportedOps.length > 0 || summary.problems.length > 0;
  return (
    <div className="content-inner">
      <header className="page-head">
        <div>
          <span className="eyebrow">Model</span>
          <h1>{ref.name}</h1>
          <p className="mono small">{ref.path}</p>
        </div>
        <button type="button" className="btn primary" disabled={blocked} onClick={() => go('calibrate')}>
          Calibrate →
        </button>
      </header>

      {summary.unsupportedOps.length > 0 ? (
        <div className="note error" role="alert">
          <strong>
            {summary.unsupportedOps.length} unsupported op{summary.unsupportedOps.length > 1 ? 's' : ''}: this model cannot run yet
          </strong>
          {summary.unsupportedOps.map((u) => (
            <span key={u.opType} className="msg">
              <code>{u.opType}</code> in {u.nodes.length} node{u.nodes.length > 1 ? 's' : ''} ({u.nodes.slice(0, 3).join(', ')}
              {u.nodes.length > 3 ? ', …' : ''}): no kernel implements it.
            </span>
          ))}
          <span className="muted small">Export the model with a different opset, or replace these ops; the layer table lists them first.</span>
        </div>
      ) : null}
      {summary.problems.map((p) => (
        <div key={p} className="note error" role="alert">
          <strong>The model cannot run as it is</strong>
          <span className="msg">{p}</span>
        </div>
      ))}
      {summary.warnings.map((w) => (
        <div key={w} className="note warn">
          <strong>Note</strong>
          <span className="msg">{w}</span>
        </div>
      ))}

      <div className="stats">
        <Stat label="Producer" value={summary.producer || '—'} />
        <Stat label="Opset · IR" value={`${summary.opset} · ${summary.irVersion}`} />
        <Stat label="Parameters" value={formatCount(summary.parameters)} />
        <Stat label="MACs / item" value={summary.macs !== undefined ? `${(summary.macs / 1e6).toFixed(1)} M` : '—'} />
        <Stat label="Nodes" value={summary.fusedNodeCount !== undefined ? `${summary.nodeCount} → ${summary.fusedNodeCount} fused` : String(summary.nodeCount)} />
        <Stat label="INT8 candidates" value={`${quantizable} layers`} />
        <Stat label="File size" value={summary.fileBytes !== undefined ? formatBytes(summary.fileBytes) : '—'} />
      </div>

      <div className="grid-2">
        <section className="card" aria-labelledby="io-h">
          <h3 id="io-h">Inputs and outputs</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Type</th>
                <th scope="col">Shape</th>
              </tr>
            </thead>
            <tbody>
              {summary.inputs.map((t) => (
                <tr key={`i-${t.name}`}>
                  <td className="name">{t.name}</td>
                  <td>input</td>
                  <td>{t.dtype}</td>
                  <td className="mono">{dims(t.shape)}</td>
                </tr>
              ))}
              {summary.outputs.map((t) => (
                <tr key={`o-${t.name}`}>
                  <td className="name">{t.name}</td>
                  <td>output</td>
                  <td>{t.dtype}</td>
                  <td className="mono">{dims(t.shape)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card" aria-labelledby="ops-h">
          <div className="card-head">
            <h3 id="ops-h">Op types</h3>
            <p>{Object.keys(summary.opCounts).length} kinds</p>
          </div>
          <OpHistogramChart data={histogram} />
        </section>
      </div>

      <section className="card" aria-labelledby="layers-h">
        <div className="card-head">
          <h3 id="layers-h">Layers</h3>
          <p>
            {rows.length} of {layers?.length ?? 0} nodes · shapes at batch 1
          </p>
        </div>
        <div className="field" style={{ maxWidth: 360 }}>
          <label htmlFor="layer-search">Search layers</label>
          <input id="layer-search" type="search" className="input" placeholder="name or op, e.g. Conv" value={query} onChange={(e) => setQuery(e.target.value)} />
        </div>
        <div className="table-wrap">
          <table aria-label="Layers">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Op</th>
                <th scope="col">Output shape</th>
                <th scope="col">INT8</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr key={l.name} className={l.unsupported ? 'bad' : undefined}>
                  <td className="name">{l.name}</td>
                  <td>{l.op}</td>
                  <td className="mono">{l.outputShape ? `[${l.outputShape.join(', ')}]` : '—'}</td>
                  <td>
                    {l.unsupported ? <span className="badge error">unsupported</span> : l.quantizable ? <span className="badge ok">INT8</span> : <span className="badge">FP32</span>}
                    {l.note ? <span className="muted small"> {l.note}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
