// FP32 vs INT8 side by side: accuracy, agreement, latency, throughput, size, speed-up; per-layer
// timing and per-layer SQNR charts.

import { useMemo } from 'react';

import { LayerSqnrChart } from '../charts/LayerSqnrChart';
import { LayerTimingChart } from '../charts/LayerTimingChart';
import { ErrorNote } from '../components/ErrorNote';
import { ProgressBar } from '../components/ProgressBar';
import { Stat } from '../components/Stat';
import { useApp } from '../store/provider';
import { formatBytes, formatPct, selectHeadline, selectLayerSqnr, selectLayerTiming } from '../store/selectors';

export function Compare() {
  const c = useApp((s) => s.compare);
  const data = useApp((s) => s.calibration.data);
  const go = useApp((s) => s.ui.go);
  const headline = useMemo(() => selectHeadline(c.result, c.benchFp32, c.benchInt8, c.sizes), [c.result, c.benchFp32, c.benchInt8, c.sizes]);
  const timing = useMemo(() => selectLayerTiming(c.benchFp32), [c.benchFp32]);
  const sqnr = useMemo(() => selectLayerSqnr(c.result), [c.result]);
  const running = c.status === 'running';
  const better = (a: number | null, b: number | null, higher = true) => (a !== null && b !== null && (higher ? b >= a : b <= a) ? 'better' : undefined);
  return (
    <div className="content-inner">
      <header className="page-head">
        <div>
          <span className="eyebrow">Compare</span>
          <h1>FP32 vs INT8</h1>
          <p>Both models on the same data through oneDNN: accuracy, agreement, speed and per-layer error.</p>
        </div>
        <button type="button" className="btn primary" disabled={c.status !== 'done'} onClick={() => go('export')}>
          Export →
        </button>
      </header>

      <section className="card">
        <form
          className="row"
          style={{ alignItems: 'flex-end' }}
          onSubmit={(e) => {
            e.preventDefault();
            void c.start();
          }}
        >
          <div className="field" style={{ width: 160 }}>
            <label htmlFor="cmp-limit">Samples to evaluate</label>
            <input id="cmp-limit" className="input" inputMode="numeric" value={c.limit} onChange={(e) => c.setLimit(e.target.value)} />
          </div>
          <div className="field" style={{ width: 140 }}>
            <label htmlFor="cmp-batch">Batch for timing</label>
            <input id="cmp-batch" className="input" inputMode="numeric" value={c.batch} onChange={(e) => c.setBatch(e.target.value)} />
          </div>
          <button type="submit" className="btn primary" disabled={running}>
            {c.status === 'done' ? 'Run again' : 'Run comparison'}
          </button>
        </form>
        <p className="muted small mono">Data: {data}</p>
        {running ? <ProgressBar label="Comparison progress" stage={c.stage} done={c.done} total={c.total} /> : null}
      </section>
      <ErrorNote error={c.error} />

      {headline ? (
        <>
          <div className="stats" aria-label="Headline">
            <Stat label="Speed-up" value={`${headline.speedup.toFixed(2)}×`} />
            <Stat label="Top-1 change" value={headline.fp32.top1 !== null && headline.int8.top1 !== null ? `${((headline.int8.top1 - headline.fp32.top1) * 100).toFixed(2)} pts` : '—'} />
            <Stat label="Agreement" value={formatPct(headline.agreement)} />
            <Stat
              label="INT8 file size"
              value={`${formatBytes(headline.int8.bytes)} (−${Math.round((1 - headline.int8.bytes / Math.max(1, headline.fp32.bytes)) * 100)}%)`}
              title={`${formatBytes(headline.fp32.bytes)} → ${formatBytes(headline.int8.bytes)}`}
            />
          </div>
          <section className="card" aria-labelledby="side-h">
            <div className="card-head">
              <h3 id="side-h">Side by side</h3>
              <p>
                {headline.count} samples · latency median of 20 runs at batch {headline.batch}
              </p>
            </div>
            <table className="metric-table">
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col" className="num">
                    FP32
                  </th>
                  <th scope="col" className="num">
                    INT8
                  </th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <td>Top-1 accuracy</td>
                  <td className="num">{formatPct(headline.fp32.top1)}</td>
                  <td className={`num ${better(headline.fp32.top1, headline.int8.top1) ?? ''}`}>{formatPct(headline.int8.top1)}</td>
                </tr>
                <tr>
                  <td>Top-5 accuracy</td>
                  <td className="num">{formatPct(headline.fp32.top5)}</td>
                  <td className={`num ${better(headline.fp32.top5, headline.int8.top5) ?? ''}`}>{formatPct(headline.int8.top5)}</td>
                </tr>
                <tr>
                  <td>Top-1 agreement with FP32</td>
                  <td className="num">100.00%</td>
                  <td className="num">{formatPct(headline.agreement)}</td>
                </tr>
                <tr>
                  <td>Latency (ms per batch of {headline.batch})</td>
                  <td className="num">{headline.fp32.latencyMs.toFixed(3)}</td>
                  <td className={`num ${better(headline.fp32.latencyMs, headline.int8.latencyMs, false) ?? ''}`}>{headline.int8.latencyMs.toFixed(3)}</td>
                </tr>
                <tr>
                  <td>Throughput (items/s)</td>
                  <td className="num">{Math.round(headline.fp32.throughput).toLocaleString('en-US')}</td>
                  <td className={`num ${better(headline.fp32.throughput, headline.int8.throughput) ?? ''}`}>{Math.round(headline.int8.throughput).toLocaleString('en-US')}</td>
                </tr>
                <tr>
                  <td>Model file size</td>
                  <td className="num">{formatBytes(headline.fp32.bytes)}</td>
                  <td className="num">{formatBytes(headline.int8.bytes)}</td>
                </tr>
                <tr>
                  <td>Speed-up</td>
                  <td className="num">1.00×</td>
                  <td className={`num ${headline.speedup >= 1 ? 'better' : ''}`}>{headline.speedup.toFixed(2)}×</td>
                </tr>
              </tbody>
            </table>
            {headline.fp32.top1 === null ? <p className="muted small">The data has no labels: accuracy is not measured, agreement is.</p> : null}
          </section>
          <div className="grid-2">
            <section className="card" aria-labelledby="timing-h">
              <div className="card-head">
                <h3 id="timing-h">Per-layer time</h3>
                <p>slowest {timing.length} layers</p>
              </div>
              <LayerTimingChart data={timing} batch={c.benchFp32?.batch ?? 1} />
              {c.benchFp32?.totals_ms ? (
                <p className="legend-note">
                  Step totals: FP32 raw {c.benchFp32.totals_ms.fp32_raw.toFixed(2)} ms, FP32 fused {c.benchFp32.totals_ms.fp32_fused.toFixed(2)} ms, INT8 {c.benchFp32.totals_ms.int8.toFixed(2)} ms.
                </p>
              ) : null}
            </section>
            <section className="card" aria-labelledby="sqnr-h">
              <div className="card-head">
                <h3 id="sqnr-h">Per-layer SQNR</h3>
                <p>INT8 output vs FP32, 16 samples</p>
              </div>
              <LayerSqnrChart data={sqnr} />
              <ol className="small" aria-label="Worst layers">
                {sqnr
                  .filter((l) => l.worst)
                  .map((l) => (
                    <li key={l.name}>
                      <code>{l.name}</code> ({l.op}): {l.sqnr.toFixed(1)} dB, cosine {l.cosine.toFixed(4)}
                    </li>
                  ))}
              </ol>
            </section>
          </div>
        </>
      ) : null}
    </div>
  );
}
