// Wizard step 4: the run, with its stage, counts, ETA and a Cancel that stops the engine's job.
// A cancel the engine does not answer within a few seconds (a job stuck in native code) offers
// to restart the engine process.

import { useEffect, useState } from 'react';

import { ErrorNote } from '../components/ErrorNote';
import { ProgressBar } from '../components/ProgressBar';
import { useApp } from '../store/provider';

const STUCK_CANCEL_MS = 3000;

export function RunStep() {
  const run = useApp((s) => s.run);
  const mode = useApp((s) => s.calibration.mode);
  const data = useApp((s) => s.calibration.data);
  const go = useApp((s) => s.ui.go);
  const restartEngine = useApp((s) => s.engine.restart);
  const running = run.status === 'running' || run.status === 'cancelling';
  const [stuck, setStuck] = useState(false);
  useEffect(() => {
    setStuck(false);
    if (run.status !== 'cancelling') return;
    const t = setTimeout(() => setStuck(true), STUCK_CANCEL_MS);
    return () => clearTimeout(t);
  }, [run.status]);
  const r = run.result;
  return (
    <div className="stack">
      <section className="card">
        <dl className="kv">
          <dt>Method</dt>
          <dd>
            {mode.method}
            {mode.method === 'percentile' ? ` (P = ${mode.percentile})` : ''}
          </dd>
          <dt>Data</dt>
          <dd className="mono">{mode.method === 'custom' ? mode.thresholdsFile : `${data} (first ${mode.calibCount})`}</dd>
          <dt>Weights</dt>
          <dd>
            s8 {mode.reduceRange ? '7-bit' : '8-bit'}, {mode.perChannel ? 'per channel' : 'per tensor'}
          </dd>
          <dt>Activations</dt>
          <dd>{mode.symmetric ? 's8 symmetric' : 'u8 with zero point'}</dd>
          <dt>FP32 layers</dt>
          <dd>{mode.exclude.length ? mode.exclude.join(', ') : 'none'}</dd>
        </dl>
        <div className="row">
          <button type="button" className="btn primary" onClick={() => void run.start()} disabled={running}>
            {run.status === 'done' || run.status === 'cancelled' || run.status === 'error' ? 'Run again' : 'Start quantization'}
          </button>
          <button type="button" className="btn danger" onClick={() => run.cancel()} disabled={run.status !== 'running'}>
            Cancel
          </button>
        </div>
        {running ? <ProgressBar label="Quantization progress" stage={run.status === 'cancelling' ? 'cancelling…' : run.stage} done={run.done} total={run.total} etaSeconds={run.etaSeconds} /> : null}
      </section>

      {stuck && run.status === 'cancelling' ? (
        <div className="note warn" role="alert">
          <strong>The engine has not stopped yet</strong>
          <span className="msg">It is still inside a step that cannot be interrupted. Restarting the engine process stops it now; the open model and your settings are kept.</span>
          <div>
            <button type="button" className="btn" onClick={() => restartEngine()}>
              Restart the engine
            </button>
          </div>
        </div>
      ) : null}
      {run.status === 'cancelled' ? (
        <div className="note warn" role="status">
          <strong>Cancelled</strong>
          <span>
            The engine stopped {run.cancelMs !== undefined ? `${(run.cancelMs / 1000).toFixed(2)} s` : ''} after Cancel{run.done !== undefined ? `, at ${run.done} of ${run.total} samples` : ''}. Nothing was written.
          </span>
        </div>
      ) : null}
      <ErrorNote error={run.error} />

      {r && run.status === 'done' ? (
        <section className="card" aria-labelledby="run-done-h">
          <div className="note ok" role="status">
            <strong id="run-done-h">INT8 model ready</strong>
            <span>
              {r.quantizedNodes.length} layers in INT8, {r.excludedNodes.length} kept in FP32, {r.calibrationSamples} calibration samples, {(r.ms.total / 1000).toFixed(1)} s.
            </span>
          </div>
          <dl className="kv">
            <dt>File</dt>
            <dd className="mono">{r.outPath}</dd>
            <dt>Weights</dt>
            <dd>
              s8 {r.weightBits}-bit {r.perChannel ? 'per channel' : 'per tensor'}; activations {r.activations}
            </dd>
          </dl>
          {r.warnings.map((w) => (
            <div key={w} className="note warn">
              <strong>Note</strong>
              <span className="msg">{w}</span>
            </div>
          ))}
          {r.excludedNodes.length ? (
            <details>
              <summary>Layers kept in FP32 ({r.excludedNodes.length})</summary>
              <ul className="small">
                {r.excludedNodes.map((e) => (
                  <li key={e.node}>
                    <code>{e.node}</code> ({e.op}): {e.reason}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
          <div>
            <button type="button" className="btn primary" onClick={() => go('compare')}>
              Compare FP32 and INT8 →
            </button>
          </div>
        </section>
      ) : null}
    </div>
  );
}
