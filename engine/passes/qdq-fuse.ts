// The QDQ pass (int8 mode): rewrites the QuantizeLinear/DequantizeLinear pairs that ONNX Runtime's
// quantize_static (and our quantizer, same format) writes around quantized ops into int8 nodes:
//
//   DQ(x_q) -> Conv/ConvTranspose/Gemm/MatMul(DQ(const s8 W), DQ(const s32 b) | f32 b) [post-ops] -> Q
//     => the op reads x_q, W_q, b_q and writes y_q (requantize folded); without the Q it writes f32.
//   Add(DQ(a_q), DQ(b_q)) [-> Relu] -> Q, a_q from an int8 Conv read only here
//     => `sum` post-op on that Conv (sum_src b_q); otherwise an int8 `binary` add.
//   DQ -> pool / reshape-like / Concat -> Q => the op on int8 values.
//
// A rewritten node keeps its ONNX op type; its int8 inputs and outputs are recorded in the quant
// table (qdq-params.ts), which is how the lowering knows to emit int8 steps. The Q and DQ nodes left
// afterwards are real float <-> int8 boundaries (`quantize` / `dequantize` steps), except
// DequantizeLinear of constants no int8 node took, which are folded to float constants here.
// Runs after inferShapes with DequantizeLinear folding off (the int8 ops need the int8 weights).

import { describeNode, type Graph, type Node, type PostOp } from '../ir/graph';
import { consumers, producers } from '../ir/graph-utils';
import type { Tensor } from '../ir/tensor';
import { DequantizeLinear } from '../ops/quantize-linear';
import { isQdqNode, qdqParams, quantTable, sameParams, type QuantParams } from './qdq-params';

export interface QdqCounts {
  /** Conv/ConvTranspose/Gemm/MatMul turned int8. */
  int8Ops: number;
  /** Residual Adds fused as `sum` post-ops of int8 convs. */
  sumsFused: number;
  /** Adds run as int8 `binary`. */
  int8Adds: number;
  /** Pools, reshape-likes and concats on int8 values. */
  int8Moves: number;
  /** DequantizeLinear of constants folded to float (weights of ops left in FP32). */
  constantsDequantized: number;
}

const HOSTS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
/** Ops that move or pool int8 values without arithmetic on their real values beyond averaging. */
const MOVES = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze']);

function isStd(n: Node): boolean {
  return n.domain === '' || n.domain === 'ai.onnx';
}

function isInt8(dtype: string | undefined): boolean {
  return dtype === 'uint8' || dtype === 'int8';
}

class Rewriter {
  private prod = new Map<string, Node>();
  private uses = new Map<string, Node[]>();
  readonly table: Map<string, QuantParams>;
  private readonly outputs: Set<string>;

  constructor(private readonly graph: Graph) {
    this.table = quantTable(graph);
    this.outputs = new Set(graph.outputs.map((o) => o.name));
    this.refresh();
  }

  refresh(): void {
    this.prod = producers(this.graph);
    this.uses = consumers(this.graph);
  }

  private singleUse(value: string): Node | undefined {
    if (this.outputs.has(value)) return undefined;
    const u = this.uses.get(value) ?? [];
    return u.length === 1 ? u[0] : undefined;
  }

  /** value = DQ(x_q) with x_q a computed per-tensor u8/s8 activation. */
  dqActivation(value: string): { xq: string; params: QuantParams } | undefined {
    const dq = this.prod.get(value);
    if (!dq || !isQdqNode(dq, 'DequantizeLinear')) return undefined;
    const xq = dq.inputs[0];
    if (this.graph.initializers.has(xq) || !isInt8(this.graph.values.get(xq)?.dtype)) return undefined;
    const params = qdqParams(this.graph, dq);
    if (!params || params.scales.length !== 1) return undefined;
    return { xq, params };
  }

  /** value = DQ(constant) of the given dtype. */
  dqConstant(value: string, dtype: 'int8' | 'int32'): { name: string; tensor: Tensor; params: QuantParams } | undefined {
    const dq = this.prod.get(value);
    if (!dq || !isQdqNode(dq, 'DequantizeLinear')) return undefined;
    const tensor = this.graph.initializers.get(dq.inputs[0]);
    if (!tensor || tensor.dtype !== dtype) return undefined;
    const params = qdqParams(this.graph, dq);
    if (!params) return undefined;
    return { name: dq.inputs[0], tensor, params };
  }

  /** value read only by a per-tensor Q to u8/s8: that Q. */
  qSink(value: string): { q: Node; yq: string; params: QuantParams } | undefined {
    const q = this.singleUse(value);
    if (!q || !isQdqNode(q, 'QuantizeLinear') || q.inputs[0] !== value) return undefined;
    const params = qdqParams(this.graph, q);
    if (!params || params.scales.length !== 1) return undefined;
    return { q, yq: q.outputs[0], params };
  }

  /** The node read only once, by `consumer`... used for activation chains. */
  soleConsumer(value: string): Node | undefined {
    return this.singleUse(value);
  }

  producer(value: string): Node | undefined {
    return this.prod.get(value);
  }

  remove(n: Node): void {
    const i = this.graph.nodes.indexOf(n);
    if (i >= 0) this.graph.nodes.splice(i, 1);
  }

  absorb(host: Node, victim: Node): void {
    host.sources = [...(host.sources ?? [host.name]), ...(victim.sources ?? [victim.name])];
    this.remove(victim);
  }

  /** Makes `host` write the Q's int8 output instead of its float one. */
  takeQ(host: Node, sink: { q: Node; yq: string; params: QuantParams }): void {
    this.graph.values.delete(host.outputs[0]);
    host.outputs = [sink.yq];
    this.table.set(sink.yq, sink.params);
    this.absorb(host, sink.q);
  }

  /** Drops Q/DQ nodes whose outputs nobody reads any more. */
  sweep(): void {
    for (let again = true; again; ) {
      again = false;
      this.refresh();
      for (const n of [...this.graph.nodes]) {
        if (!isQdqNode(n, 'DequantizeLinear') && !isQdqNode(n, 'QuantizeLinear')) continue;
        const y = n.outputs[0];
        if (this.outputs.has(y) || (this.uses.get(y)?.length ?? 0) > 0) continue;
        this.remove(n);
        this.graph.values.delete(y);
        again = true;
      }
    }
  }
}

/** Weight checks: s8, zero points 0, scales per-tensor or along the op's output-channel axis. */
function weightAxisOk(host: Node, w: { tensor: Tensor; params: QuantParams }): boolean {
  if (w.params.zeroPoints.some((z) => z !== 0)) return false;
  if (w.params.scales.length === 1) return true;
  const rank = w.tensor.dims.length;
  switch (host.opType) {
    case 'Conv':
      return w.params.axis === 0;
    case 'ConvTranspose':
      return w.params.axis === 1;
    case 'Gemm': {
      const transB = host.attrs.transB?.type === 'int' && host.attrs.transB.value !== 0;
      return w.params.axis === (transB ? 0 : 1);
    }
    default:
      return rank === 2 && w.params.axis === 1;
  }
}

function intAttr(n: Node, name: string, dflt: number): number {
  const a = n.attrs[name];
  return a && (a.type === 'int' || a.type === 'float') ? a.value : dflt;
}

/** DQ(x_q) -> host(DQ(W), bias) [-> Q] => int8 host. */
function rewriteHost(r: Rewriter, g: Graph, host: Node): boolean {
  const sums = (host.postOps ?? []).filter((p) => p.kind === 'sum').length;
  if (sums > 0) return false;
  const x = r.dqActivation(host.inputs[0]);
  const w = r.dqConstant(host.inputs[1] ?? '', 'int8');
  if (!x || !w || !weightAxisOk(host, w)) return false;
  if (host.opType === 'Gemm') {
    if (intAttr(host, 'transA', 0) !== 0 || intAttr(host, 'alpha', 1) !== 1 || intAttr(host, 'beta', 1) !== 1) return false;
  }
  if (host.opType === 'MatMul') {
    const rank = g.values.get(host.inputs[0])?.shape?.length ?? 0;
    if (rank < 2 || w.tensor.dims.length !== 2) return false;
  }
  // MatMul's bias is the fused Add's (fuse-matmul-bias.ts), past its two ONNX inputs (no sum
  // post-op is on the host here: checked above).
  const bName = host.opType === 'MatMul' && host.inputs.length <= 2 ? '' : host.inputs[2] ?? '';
  let bias: string = bName;
  let biasParams: QuantParams | undefined;
  if (bName) {
    const b = r.dqConstant(bName, 'int32');
    const n = host.opType === 'Gemm' ? (g.values.get(host.outputs[0])?.shape?.[1] as number) : undefined;
    if (b) {
      if (b.params.zeroPoints.some((z) => z !== 0) || b.tensor.dims.length !== 1 || (n !== undefined && b.tensor.dims[0] !== n)) return false;
      bias = b.name;
      biasParams = { ...b.params, axis: 0 };
    } else if (!g.initializers.has(bName) || g.initializers.get(bName)!.dtype !== 'float32') {
      return false;
    }
  }
  host.inputs[0] = x.xq;
  host.inputs[1] = w.name;
  if (bName) host.inputs[2] = bias;
  r.table.set(x.xq, x.params);
  r.table.set(w.name, w.params);
  if (biasParams) r.table.set(bias, biasParams);
  const sink = r.qSink(host.outputs[0]);
  if (sink) r.takeQ(host, sink);
  return true;
}

/** Add(DQ(a_q), DQ(b_q)) [-> Relu] -> Q. */
function rewriteAdd(r: Rewriter, g: Graph, add: Node, counts: QdqCounts): void {
  if (add.inputs.length !== 2 || add.inputs[0] === add.inputs[1]) return;
  const a = r.dqActivation(add.inputs[0]);
  const b = r.dqActivation(add.inputs[1]);
  if (!a || !b) return;
  let relu: Node | undefined;
  let y = add.outputs[0];
  const next = r.soleConsumer(y);
  if (next && isStd(next) && next.opType === 'Relu') {
    relu = next;
    y = next.outputs[0];
  }
  const sink = r.qSink(y);
  if (!sink) return;
  const dims = (v: string) => (g.values.get(v)?.shape ?? []).join(',');
  const outDims = dims(add.outputs[0]);

  // Sum post-op: a side whose int8 value comes straight from an int8 Conv that nothing else reads.
  const sides = [
    { mine: a, other: b, dq: add.inputs[0] },
    { mine: b, other: a, dq: add.inputs[1] },
  ];
  const nodes = g.nodes;
  const candidates = sides
    .map((s) => ({ ...s, conv: r.producer(s.mine.xq) }))
    .filter((s) => {
      const c = s.conv;
      if (!c || c.opType !== 'Conv' || !isStd(c) || !r.table.has(c.inputs[0]) || (c.postOps ?? []).some((p) => p.kind === 'sum')) return false;
      const dq = r.producer(s.dq)!;
      return r.soleConsumer(s.mine.xq) === dq && r.soleConsumer(s.dq) === add && dims(s.mine.xq) === outDims && dims(s.other.xq) === outDims;
    })
    .sort((p, q) => nodes.indexOf(q.conv!) - nodes.indexOf(p.conv!));
  if (candidates.length > 0) {
    const { conv, other, mine, dq } = candidates[0];
    const c = conv!;
    const post: PostOp[] = [...(c.postOps ?? []), { kind: 'sum', input: other.xq, scale: 1 }];
    if (relu) post.push({ kind: 'eltwise', alg: 'relu', alpha: 0, beta: 0 });
    c.postOps = post;
    c.inputs = [...c.inputs, other.xq];
    r.table.set(other.xq, other.params);
    g.values.delete(mine.xq);
    r.table.delete(mine.xq);
    c.outputs = [sink.yq];
    r.table.set(sink.yq, sink.params);
    c.sources = [...(c.sources ?? [c.name]), ...[add, relu, sink.q].filter((n): n is Node => !!n).map((n) => n.name)];
    // The conv takes the Add's place: the other operand is computed by then.
    const at = nodes.indexOf(add);
    nodes[at] = c;
    nodes.splice(nodes.indexOf(c), 1);
    for (const n of [r.producer(dq)!, relu, sink.q]) if (n) r.remove(n);
    counts.sumsFused++;
    return;
  }
  // int8 binary add: the runtime needs one operand with the output's dims, and no post-op.
  if (relu || (dims(a.xq) !== outDims && dims(b.xq) !== outDims)) return;
  add.inputs = [a.xq, b.xq];
  r.table.set(a.xq, a.params);
  r.table.set(b.xq, b.params);
  r.takeQ(add, sink);
  counts.int8Adds++;
}

/** DQ -> move/pool -> Q, and DQ(all) -> Concat -> Q. */
function rewriteMove(r: Rewriter, n: Node): boolean {
  const data = n.opType === 'Concat' ? n.inputs.filter((i) => i) : [n.inputs[0]];
  if (n.opType === 'MaxPool' && n.outputs.length > 1 && n.outputs[1]) return false;
  const srcs = data.map((v) => r.dqActivation(v));
  if (srcs.some((s) => !s)) return false;
  const sink = r.qSink(n.outputs[0]);
  if (!sink) return false;
  // oneDNN counts padding as stored 0 in an int8 average with padding included.
  if (n.opType === 'AveragePool' && intAttr(n, 'count_include_pad', 0) !== 0 && srcs[0]!.params.zeroPoints[0] !== 0) return false;
  let k = 0;
  n.inputs = n.inputs.map((i, idx) => (i && (n.opType === 'Concat' || idx === 0) ? srcs[k++]!.xq : i));
  for (const s of srcs) r.table.set(s!.xq, s!.params);
  r.takeQ(n, sink);
  return true;
}

/** Folds DequantizeLinear nodes of constants that no int8 node took (weights of FP32 ops). */
function foldConstantDequantize(g: Graph, opset: number): number {
  let folded = 0;
  for (const n of [...g.nodes]) {
    if (!isQdqNode(n, 'DequantizeLinear')) continue;
    const ins = n.inputs.map((i) => (i ? g.initializers.get(i) : undefined));
    if (!ins[0] || !ins[1] || (n.inputs[2] && !ins[2])) continue;
    let out: Tensor;
    try {
      out = DequantizeLinear.evaluate!(n, ins, opset)[0];
    } catch (e) {
      throw new Error(`${describeNode(n)}: ${(e as Error).message}`);
    }
    g.initializers.set(n.outputs[0], out);
    g.values.set(n.outputs[0], { name: n.outputs[0], dtype: 'float32', shape: [...out.dims] });
    g.nodes.splice(g.nodes.indexOf(n), 1);
    folded++;
  }
  return folded;
}

/** Runs the QDQ rewrite in place; the quant table of `graph` describes the int8 values after it. */
export function fuseQdq(graph: Graph, opset: number): QdqCounts {
  const counts: QdqCounts = { int8Ops: 0, sumsFused: 0, int8Adds: 0, int8Moves: 0, constantsDequantized: 0 };
  const r = new Rewriter(graph);
  for (let k = 0; k < graph.nodes.length; k++) {
    const n = graph.nodes[k];
    if (!isStd(n)) continue;
    r.refresh();
    if (HOSTS.has(n.opType)) {
      if (rewriteHost(r, graph, n)) counts.int8Ops++;
    } else if (n.opType === 'Add') {
      rewriteAdd(r, graph, n, counts);
    } else if (MOVES.has(n.opType) || n.opType === 'Concat') {
      if (rewriteMove(r, n)) counts.int8Moves++;
    }
    // Rewrites only remove nodes after n or move a conv to n's place: revisit from n's index.
    const at = graph.nodes.indexOf(n);
    k = at >= 0 ? at : k - 1;
  }
  r.sweep();
  counts.constantsDequantized = foldConstantDequantize(graph, opset);
  return counts;
}
