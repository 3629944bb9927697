// QDQ writer: a quantization plan + calibrated ranges -> a standard QDQ ONNX model (ONNX Runtime's
// QDQ format), which ONNX Runtime, OpenVINO, TensorRT and our runtime all load:
//   activation T:  producer -> T -> QuantizeLinear -> T_quantized -> DequantizeLinear -> T_dequantized -> readers
//   weight W:      W_quantized (s8, per-channel scales on the output-channel axis) -> DequantizeLinear
//   bias B:        B_quantized (int32, scale s_x * s_w[c]) -> DequantizeLinear
// The producer keeps writing T under its FP32 name, so per-layer comparison finds the same names in
// both models. Only standard ONNX nodes are written (BN is folded into the weights, no post-ops).

import { attrFloat, attrInt, type Dim, type Graph, type Model, type Node } from '../ir/graph';
import { defaultInputDims, inferShapes } from '../passes/infer';
import { cloneModel, freshName } from '../ir/graph-utils';
import { makeTensor, type Tensor } from '../ir/tensor';
import type { QuantConfig } from './config';
import { activationParams, quantizeBias, quantizeWeights, weightChannelAxis, weightParams, type QuantParams, type TensorRange, type WeightQuantParams } from './params';
import { rangeSource, type QuantPlan } from './quantize-plan';

/** Ops whose semantics changed between older opsets and 13 (an automatic upgrade would be wrong). */
const CHANGED_BEFORE_13: Record<string, number> = {
  Squeeze: 13,
  Unsqueeze: 13,
  Split: 13,
  ReduceSum: 13,
  Softmax: 13,
  LogSoftmax: 13,
  Hardmax: 13,
  Clip: 11,
  Pad: 11,
  Resize: 13,
  Upsample: 10,
  Slice: 10,
  TopK: 10,
};

export const METADATA_PREPROCESS = 'qwb.preprocess';
export const METADATA_QUANT = 'qwb.quantization';

export interface QdqWriteOptions {
  config: QuantConfig;
  ranges: ReadonlyMap<string, TensorRange>;
  /** Extra metadata_props (preprocessing, config); merged over the model's own. */
  metadata?: Record<string, string>;
}

export interface QdqModel {
  model: Model;
  /** Activation tensor -> the parameters written for it. */
  params: Map<string, QuantParams>;
  /** Node name -> weight parameters. */
  weights: Map<string, WeightQuantParams>;
}

function upgradeOpset(model: Model): void {
  if (model.opset >= 13) return;
  if (model.opset < 10) throw new Error(`opset ${model.opset} is too old for QuantizeLinear (needs 10, per-channel needs 13); convert the model first`);
  for (const n of model.graph.nodes) {
    const changed = CHANGED_BEFORE_13[n.opType];
    if (changed !== undefined && model.opset < changed) {
      throw new Error(
        `${model.path ?? 'model'}: opset ${model.opset} must become 13 for per-channel QDQ, but node '${n.name}' (${n.opType}) changed meaning in opset ${changed}; convert the model to opset 13 first`,
      );
    }
  }
  model.opset = 13;
}

function scalarOrVector(dtype: 'float32' | 'int8' | 'uint8' | 'int32', values: ArrayLike<number>, vector: boolean): Tensor {
  return makeTensor(dtype, vector ? [values.length] : [], values);
}

export function writeQdq(plan: QuantPlan, opts: QdqWriteOptions): QdqModel {
  const { config, ranges } = opts;
  const model = cloneModel(plan.model);
  const g = model.graph;
  upgradeOpset(model);
  model.irVersion = Math.max(model.irVersion || 0, 7);

  const init = (base: string, t: Tensor): string => {
    const name = freshName(g, base);
    g.initializers.set(name, t);
    g.values.set(name, { name, dtype: t.dtype, shape: [...t.dims] });
    return name;
  };
  // Node names must be unique too (ONNX Runtime refuses a file with two nodes of one name): a bias
  // or weight initializer shared by several layers (PyTorch's exporter deduplicates equal
  // initializers) gets one DequantizeLinear per layer, each needing its own name.
  const nodeNames = new Set(g.nodes.map((n) => n.name).filter(Boolean));
  const mkNode = (opType: string, base: string, inputs: string[], outputs: string[], axis?: number): Node => {
    let name = base;
    for (let i = 1; nodeNames.has(name); i++) name = `${base}_${i}`;
    nodeNames.add(name);
    const n: Node = { name, opType, domain: '', inputs, outputs, attrs: {} };
    if (axis !== undefined) n.attrs.axis = { type: 'int', value: axis };
    return n;
  };
  const produced = (name: string) => {
    const v = { name, dtype: 'float32' as const, shape: undefined };
    g.values.set(name, v);
    return name;
  };

  // Activation parameters (shared tensors use their source's parameters and initializers).
  const params = new Map<string, QuantParams>();
  const paramInits = new Map<string, [string, string]>();
  const paramsOf = (t: string): QuantParams => {
    const src = rangeSource(plan, t);
    let p = params.get(src);
    if (!p) {
      const r = ranges.get(src);
      if (!r) throw new Error(`no calibrated range for tensor '${src}'${src !== t ? ` (used by '${t}')` : ''}`);
      p = activationParams(r, { type: config.activations.type, nonNegative: plan.nonNegative.has(src) });
      params.set(src, p);
    }
    params.set(t, p);
    return p;
  };

  const layerNodes = new Set(plan.layers.map((l) => l.node));
  const inserts = new Map<Node | null, Node[]>(); // after producer (null: at the start)
  const dqOf = new Map<string, string>();
  const producerOf = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producerOf.set(o, n);

  for (const t of plan.tensors) {
    const p = paramsOf(t);
    const src = rangeSource(plan, t);
    let names = paramInits.get(src);
    if (!names) {
      names = [init(`${src}_scale`, makeTensor('float32', [], [p.scale])), init(`${src}_zero_point`, makeTensor(p.type === 'u8' ? 'uint8' : 'int8', [], [p.zeroPoint]))];
      paramInits.set(src, names);
    }
    const qOut = produced(freshName(g, `${t}_quantized`));
    const q = mkNode('QuantizeLinear', `${t}_QuantizeLinear`, [t, ...names], [qOut]);
    g.values.set(qOut, { name: qOut, dtype: p.type === 'u8' ? 'uint8' : 'int8', shape: undefined });
    const dqOut = produced(freshName(g, `${t}_dequantized`));
    const dq = mkNode('DequantizeLinear', `${t}_DequantizeLinear`, [qOut, ...names], [dqOut]);
    dqOf.set(t, dqOut);
    const at = producerOf.get(t) ?? null;
    inserts.set(at, [...(inserts.get(at) ?? []), q, dq]);
  }
  // Every reader of a quantized tensor reads its dequantized value (an FP32 reader included: the
  // int8 runtime then dequantizes exactly where an FP32 op follows).
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => dqOf.get(i) ?? i);
  const tensorOfDq = new Map([...dqOf].map(([t, dq]) => [dq, t]));

  // Weights and biases.
  const weights = new Map<string, WeightQuantParams>();
  const weightDq = new Map<string, string>();
  const weightInserts: Node[] = [];
  for (const n of g.nodes) {
    if (!layerNodes.has(n.name) || plan.weightInputs.get(n.name) !== 1) continue;
    const wName = n.inputs[1];
    const w = g.initializers.get(wName)!;
    const transB = n.opType === 'Gemm' && attrInt(n, 'transB', 0) === 1;
    const axis = weightChannelAxis(n.opType, { rank: w.dims.length, transB });
    const perChannel = config.weights.perChannel && w.dims.length >= 2;
    const wp = weightParams(w.data as Float32Array, w.dims, { perChannel, bits: config.weights.bits, axis });
    weights.set(n.name, wp);
    const key = `${wName}|${perChannel ? axis : 't'}`;
    let wDq = weightDq.get(key);
    if (!wDq) {
      const q = init(`${wName}_quantized`, { dtype: 'int8', dims: [...w.dims], data: quantizeWeights(w.data as Float32Array, w.dims, wp) });
      const vec = wp.axis !== null;
      const s = init(`${wName}_scale`, scalarOrVector('float32', wp.scales, vec));
      const z = init(`${wName}_zero_point`, scalarOrVector('int8', new Int8Array(wp.scales.length), vec));
      wDq = produced(freshName(g, `${wName}_dequantized`));
      weightInserts.push(mkNode('DequantizeLinear', `${wName}_DequantizeLinear`, [q, s, z], [wDq], vec ? (wp.axis as number) : undefined));
      weightDq.set(key, wDq);
    }
    n.inputs[1] = wDq;

    const bName = n.inputs[2];
    const b = bName ? g.initializers.get(bName) : undefined;
    const gemmPlain = n.opType !== 'Gemm' || (attrFloat(n, 'alpha', 1) === 1 && attrFloat(n, 'beta', 1) === 1);
    const xTensor = tensorOfDq.get(n.inputs[0]);
    const xParams = xTensor === undefined ? undefined : params.get(xTensor);
    if (b && b.dtype === 'float32' && b.dims.length === 1 && gemmPlain && xParams && (wp.scales.length === 1 || wp.scales.length === b.dims[0])) {
      const qb = quantizeBias(b.data as Float32Array, xParams.scale, wp.scales);
      const vec = wp.axis !== null;
      const bq = init(`${bName}_quantized`, { dtype: 'int32', dims: [...b.dims], data: qb.data });
      const bs = init(`${bName}_quantized_scale`, scalarOrVector('float32', qb.scales, vec));
      const bz = init(`${bName}_quantized_zero_point`, scalarOrVector('int32', new Int32Array(qb.scales.length), vec));
      const bDq = produced(freshName(g, `${bName}_quantized_dequantized`));
      weightInserts.push(mkNode('DequantizeLinear', `${bName}_DequantizeLinear`, [bq, bs, bz], [bDq], vec ? 0 : undefined));
      n.inputs[2] = bDq;
    }
  }

  // Rebuild the node list in topological order: weight DQs first, then each Q/DQ pair right after
  // the producer of its tensor.
  const nodes: Node[] = [...weightInserts, ...(inserts.get(null) ?? [])];
  for (const n of g.nodes) nodes.push(n, ...(inserts.get(n) ?? []));
  g.nodes = nodes;

  // Drop initializers no node reads any more (the FP32 weights and biases that were quantized).
  const read = new Set<string>();
  for (const n of g.nodes) for (const i of n.inputs) read.add(i);
  for (const o of g.outputs) read.add(o.name);
  for (const name of [...g.initializers.keys()]) if (!read.has(name)) g.initializers.delete(name);

  // Intermediate shapes known to the loader may have been inferred at some batch size; keep only the
  // graph's declared inputs and outputs so the file stays valid at any batch.
  const keep = new Set([...g.inputs.map((v) => v.name), ...g.outputs.map((v) => v.name)]);
  for (const name of [...g.values.keys()]) if (!keep.has(name)) g.values.delete(name);

  model.metadata = { ...model.metadata, ...(opts.metadata ?? {}) };
  model.producerName = 'quant-workbench';
  fillOutputShapes(model);
  checkWritten(g);
  return { model, params, weights };
}

/** onnx.checker requires a shape on every graph output; a source model may declare none. Shapes
 *  come from inference at batch 1 and 2: a dim that changes with the batch is written symbolic. */
function fillOutputShapes(model: Model): void {
  const g = model.graph;
  if (g.outputs.every((o) => o.shape && (g.values.get(o.name)?.shape ?? o.shape))) return;
  const at = (batch: number): Map<string, Dim[] | undefined> => {
    const m = cloneModel(model);
    inferShapes(m, defaultInputDims(m, batch));
    return new Map(m.graph.outputs.map((o) => [o.name, o.shape]));
  };
  let s1: Map<string, Dim[] | undefined>;
  let s2: Map<string, Dim[] | undefined>;
  try {
    s1 = at(1);
    s2 = at(2);
  } catch (e) {
    throw new Error(`QDQ writer: cannot infer the shape of graph outputs ${g.outputs.filter((o) => !o.shape).map((o) => `'${o.name}'`).join(', ')}: ${(e as Error).message}`);
  }
  for (const o of g.outputs) {
    if (o.shape && (g.values.get(o.name)?.shape ?? o.shape)) continue;
    const a = s1.get(o.name) ?? [];
    const b = s2.get(o.name) ?? [];
    o.shape = a.map((d, i) => (d === b[i] ? d : i === 0 ? 'batch' : `${o.name}_dim${i}`));
    const v = g.values.get(o.name);
    if (v) v.shape = [...o.shape];
  }
}

/** What onnx.checker and ONNX Runtime's loader insist on, checked before a file is written: unique
 *  node names, every value written once, every input defined before it is read. A failure here is
 *  a bug of the writer, reported rather than saved. */
export function checkWritten(g: Graph): void {
  const names = new Set<string>();
  const defined = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  for (const n of g.nodes) {
    if (n.name) {
      if (names.has(n.name)) throw new Error(`QDQ writer: two nodes named '${n.name}'`);
      names.add(n.name);
    }
    for (const i of n.inputs) if (i && !defined.has(i)) throw new Error(`QDQ writer: node '${n.name}' (${n.opType}) reads '${i}' before any node writes it`);
    for (const o of n.outputs) {
      if (!o) continue;
      if (defined.has(o)) throw new Error(`QDQ writer: value '${o}' is written twice (second time by node '${n.name}')`);
      defined.add(o);
    }
  }
  for (const o of g.outputs) if (!defined.has(o.name)) throw new Error(`QDQ writer: graph output '${o.name}' is not computed`);
}
