// The right-hand details panel: the open model, the machine, the INT8 model made in this window.
// In small windows the same content shows under the screen (className details-inline).

import { useApp } from '../store/provider';
import { formatBytes, formatCount } from '../store/selectors';

export function DetailsPanel({ inline = false }: { inline?: boolean }) {
  const summary = useApp((s) => s.model.summary);
  const ref = useApp((s) => s.model.ref);
  const runtime = useApp((s) => s.calibration.runtime);
  const result = useApp((s) => s.run.result);
  return (
    <aside className={inline ? 'details-inline card' : 'details'} aria-label="Details">
      <section>
        <h2>Model</h2>
        {summary && ref ? (
          <dl className="kv">
            <dt>File</dt>
            <dd>{ref.name}</dd>
            <dt>Size</dt>
            <dd>{summary.fileBytes !== undefined ? formatBytes(summary.fileBytes) : '—'}</dd>
            <dt>Nodes</dt>
            <dd>
              {summary.nodeCount}
              {summary.fusedNodeCount !== undefined ? ` (${summary.fusedNodeCount} fused)` : ''}
            </dd>
            <dt>Params</dt>
            <dd>{formatCount(summary.parameters)}</dd>
            <dt>Opset</dt>
            <dd>{summary.opset}</dd>
          </dl>
        ) : (
          <p className="muted small">No model open.</p>
        )}
      </section>
      <section>
        <h2>This machine</h2>
        {runtime ? (
          <dl className="kv">
            <dt>oneDNN</dt>
            <dd>{runtime.onednn}</dd>
            <dt>ISA</dt>
            <dd>{runtime.isa}</dd>
            <dt>Cores</dt>
            <dd>{runtime.cores}</dd>
            <dt>int8</dt>
            <dd title={runtime.int8.reason}>{runtime.int8.accumulation === '16bit-pairs' ? '16-bit pairs' : runtime.int8.accumulation.toUpperCase()}</dd>
            <dt>CPU</dt>
            <dd className="small">{runtime.cpu.features.join(' ') || 'no tracked features'}</dd>
          </dl>
        ) : (
          <p className="muted small">Asking the engine…</p>
        )}
      </section>
      <section>
        <h2>INT8 model</h2>
        {result ? (
          <dl className="kv">
            <dt>Method</dt>
            <dd>{result.method}</dd>
            <dt>Weights</dt>
            <dd>
              s8 {result.weightBits}-bit, {result.perChannel ? 'per channel' : 'per tensor'}
            </dd>
            <dt>Activations</dt>
            <dd>{result.activations}</dd>
            <dt>INT8 layers</dt>
            <dd>{result.quantizedNodes.length}</dd>
            <dt>Kept FP32</dt>
            <dd>{result.excludedNodes.length}</dd>
          </dl>
        ) : (
          <p className="muted small">Not quantized yet.</p>
        )}
      </section>
    </aside>
  );
}
