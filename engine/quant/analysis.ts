// Per-layer error analysis (what ONNX Runtime's qdq_loss_debug and Intel's Neural Insights show):
// for every quantized layer of a QDQ model, the FP32 model's activation against the INT8 model's
// dequantized activation, as SQNR (dB) and cosine similarity, ranked worst first.
// Works from the QDQ graph itself, so it analyses any QDQ model (ours or ONNX Runtime's) against
// the FP32 model it came from, as long as the producers kept their FP32 tensor names.

import type { Model, Node } from '../ir/graph';
import { consumers, producers } from '../ir/graph-utils';
import { ErrorSums } from './metrics';
import { QUANTIZABLE_OPS } from './quantize-plan';

export interface LayerPair {
  /** The quantized node's name. */
  name: string;
  op: string;
  /** Tensor to read in the FP32 model (the layer's output after a fused Relu/Clip). */
  fp32: string;
  /** Tensor to read in the INT8 model: the dequantized output where there is one. */
  int8: string;
}

export interface LayerError {
  name: string;
  op: string;
  tensor: string;
  sqnr_db: number;
  cosine: number;
}

/** Quantized layers of `qdq` whose output also exists in `fp32`, in graph order. */
export function quantizedLayers(qdq: Model, fp32: Model): LayerPair[] {
  const g = qdq.graph;
  const prod = producers(g);
  const uses = consumers(g);
  const fpNames = new Set<string>([...fp32.graph.inputs.map((v) => v.name)]);
  for (const n of fp32.graph.nodes) for (const o of n.outputs) fpNames.add(o);
  const fromDq = (t: string) => prod.get(t)?.opType === 'DequantizeLinear';
  const out: LayerPair[] = [];
  for (const n of g.nodes) {
    if (!(QUANTIZABLE_OPS as readonly string[]).includes(n.opType) || !n.inputs[0] || !fromDq(n.inputs[0])) continue;
    let y = n.outputs[0];
    const readers = uses.get(y) ?? [];
    if (readers.length === 1 && (readers[0].opType === 'Relu' || readers[0].opType === 'Clip')) y = readers[0].outputs[0];
    if (!fpNames.has(y)) continue;
    let int8 = y;
    const q: Node | undefined = (uses.get(y) ?? []).find((r) => r.opType === 'QuantizeLinear');
    const dq = q ? (uses.get(q.outputs[0]) ?? []).find((r) => r.opType === 'DequantizeLinear') : undefined;
    if (dq) int8 = dq.outputs[0];
    out.push({ name: n.name, op: n.opType, fp32: y, int8 });
  }
  return out;
}

/** Per-layer error over batches in constant memory: four running sums per layer (ErrorSums), never
 *  the activations themselves (keeping them took ~3 GB for ResNet-50 on 16 samples). */
export class LayerErrorAccumulator {
  private readonly sums = new Map<string, ErrorSums>();

  constructor(readonly pairs: readonly LayerPair[]) {
    for (const p of pairs) this.sums.set(p.name, new ErrorSums());
  }

  add(fp32Outputs: Record<string, { data: ArrayLike<number> | BigInt64Array }>, int8Outputs: Record<string, { data: ArrayLike<number> | BigInt64Array }>): void {
    for (const p of this.pairs) {
      const a = fp32Outputs[p.fp32]?.data;
      const b = int8Outputs[p.int8]?.data;
      if (a instanceof BigInt64Array || b instanceof BigInt64Array) throw new Error(`layer '${p.name}': an int64 activation cannot be compared`);
      if (!a || !b) throw new Error(`layer '${p.name}': missing activation ${!a ? `'${p.fp32}' in the FP32 run` : `'${p.int8}' in the INT8 run`}`);
      if (a.length !== b.length) throw new Error(`layer '${p.name}': FP32 '${p.fp32}' has ${a.length} values but INT8 '${p.int8}' has ${b.length}`);
      this.sums.get(p.name)!.add(a, b);
    }
  }

  /** Worst first: lowest SQNR, then lowest cosine. */
  ranked(): LayerError[] {
    const rows = this.pairs.map((p) => {
      const s = this.sums.get(p.name)!;
      return { name: p.name, op: p.op, tensor: p.fp32, sqnr_db: s.sqnrDb(), cosine: s.cosine() };
    });
    return rows.sort((x, y) => (x.sqnr_db === y.sqnr_db ? 0 : x.sqnr_db < y.sqnr_db ? -1 : 1) || x.cosine - y.cosine);
  }
}
