// Which nodes and tensors a QDQ model quantizes, decided once on the prepared FP32 graph and shared
// by the calibration driver (which tensors to collect), the QDQ writer (where Q/DQ pairs go) and the
// accuracy-aware fallback (re-planning with more nodes kept in FP32 reuses the collected ranges,
// because excluding nodes only ever removes tensors from the set).
//
// Rules, as ONNX Runtime's QDQ quantizer:
//  - Quantized ops: Conv, ConvTranspose, Gemm, MatMul (constant weights -> s8 per channel), Add,
//    MaxPool, AveragePool, GlobalAveragePool, Concat. Their float activation inputs get Q/DQ.
//  - Conv/Gemm/MatMul/Add followed by its only reader Relu (or Clip with min >= 0) form one layer:
//    the Q/DQ goes after the activation, never between (Conv -> Relu -> Q -> DQ).
//  - MaxPool's output, and the output of shape-only ops (Reshape, Flatten, ...) feeding a quantized
//    op, share the scale of their input: such ops commute with quantization, so the int8 runtime can
//    run them on int8 data without requantizing.
//  - A quantized layer's output gets Q/DQ only if a quantized op reads it: where an FP32 op
//    follows, the int8 primitive can write FP32 directly.

import { attrFloat, type Graph, type Model, type Node } from '../ir/graph';
import { cloneModel, consumers, producers } from '../ir/graph-utils';
import { foldBatchNorms } from '../passes/fold-batchnorm';
import { removeIdentities } from '../passes/remove-identity';
import type { QuantConfig } from './config';
import { inferValueKinds, type ValueKinds } from './value-kinds';

export const QUANTIZABLE_OPS = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Concat'] as const;
const WEIGHTED = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
const FUSES_ACTIVATION = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add']);
/** Ops that only move values: their output can share their input's quantization parameters. */
const SHAPE_ONLY = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose']);
/** Ops whose output is >= 0 when their (first / every) input is. */
const KEEPS_SIGN = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose']);
/** Producers of non-float values (never quantized). */
const NON_FLOAT = new Set(['Shape', 'Size', 'Cast', 'ArgMax', 'ArgMin', 'NonZero', 'Equal', 'Less', 'Greater', 'Not', 'And', 'Or', 'ConstantOfShape', 'Range', 'TopK']);

export interface QuantLayer {
  /** The quantized node (Conv, Add, ...). */
  node: string;
  op: string;
  /** The layer's output after a fused Relu/Clip: what the int8 model produces for it. */
  output: string;
  /** Nodes of the layer: the op, then its fused activation if any. */
  nodes: string[];
}

export interface QuantPlan {
  /** The prepared FP32 model: Identity/Dropout removed, BatchNormalization folded into Conv. */
  model: Model;
  /** Quantized nodes by name, in graph order. */
  layers: QuantLayer[];
  /** Quantizable nodes kept in FP32 (excluded by name/op type, or not quantizable as they are). */
  excluded: { node: string; op: string; reason: string }[];
  /** Activation tensors that get a Q/DQ pair, in graph order. */
  tensors: string[];
  /** tensor -> the tensor whose range/parameters it uses (MaxPool and shape-only outputs). */
  shareWith: Map<string, string>;
  /** Tensors known to be >= 0 (Relu, Clip(min >= 0) and what keeps their sign): u8 zero point 0. */
  nonNegative: Set<string>;
  /** Node name -> indices of inputs that are constant weights quantized to s8. */
  weightInputs: Map<string, number>;
}

/** Copy of `model` with Identity/Dropout removed, BN folded and every node named (the QDQ writer and
 *  the reports name nodes). Shape inference is not run, so nothing is fixed to a batch size. */
export function prepareForQuantization(model: Model): Model {
  const m = cloneModel(model);
  removeIdentities(m.graph);
  foldBatchNorms(m.graph);
  const used = new Set(m.graph.nodes.map((n) => n.name).filter(Boolean));
  m.graph.nodes.forEach((n, i) => {
    if (n.name) return;
    let name = `${n.opType}_${i}`;
    for (let k = 1; used.has(name); k++) name = `${n.opType}_${i}_${k}`;
    used.add(name);
    n.name = name;
  });
  for (const n of m.graph.nodes) delete n.sources;
  return m;
}

function isActivation(g: Graph, prod: Map<string, Node>, kinds: ValueKinds | undefined, t: string): boolean {
  if (!t || g.initializers.has(t)) return false;
  const input = g.inputs.find((v) => v.name === t);
  if (input) return input.dtype === 'float32';
  const p = prod.get(t);
  if (!p || NON_FLOAT.has(p.opType) || p.opType === 'Constant') return false;
  if (kinds) return kinds.dtype.get(t) === 'float32' && !kinds.folded.has(t);
  const dtype = g.values.get(t)?.dtype;
  return dtype === undefined || dtype === 'float32';
}

function clipMin(g: Graph, n: Node): number | undefined {
  if (n.attrs.min) return attrFloat(n, 'min', -Infinity);
  const t = n.inputs[1] ? g.initializers.get(n.inputs[1]) : undefined;
  if (!n.inputs[1]) return -Infinity;
  return t && t.data.length === 1 ? Number(t.data[0]) : undefined;
}

function isNonNegActivation(g: Graph, n: Node): boolean {
  if (n.opType === 'Relu') return true;
  if (n.opType !== 'Clip') return false;
  const lo = clipMin(g, n);
  return lo !== undefined && lo >= 0;
}

/** Decides the quantization of `prepared` (from prepareForQuantization) under `config`;
 *  `extraExclude` adds node names kept in FP32 (the accuracy-aware fallback). */
export function planQuantization(prepared: Model, config: QuantConfig, extraExclude: readonly string[] = []): QuantPlan {
  const g = prepared.graph;
  const prod = producers(g);
  const uses = consumers(g);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const names = new Set([...config.exclude.names, ...extraExclude]);
  const opTypes = new Set(config.exclude.opTypes);
  // Integer shape arithmetic (and anything folded at compile time) is not an activation.
  const kinds = inferValueKinds(prepared);
  const act = (t: string) => isActivation(g, prod, kinds, t);
  const constF32 = (t: string | undefined) => !!t && g.initializers.get(t)?.dtype === 'float32';

  const layers: QuantLayer[] = [];
  const excluded: QuantPlan['excluded'] = [];
  const quantized = new Set<Node>();
  const weightInputs = new Map<string, number>();
  const fusedActivation = new Set<Node>();
  for (const n of g.nodes) {
    if (!(QUANTIZABLE_OPS as readonly string[]).includes(n.opType) || (n.domain !== '' && n.domain !== 'ai.onnx')) continue;
    const skip = (reason: string) => excluded.push({ node: n.name, op: n.opType, reason });
    // Shape arithmetic (an integer Concat or Add of dims, folded at compile time) is no layer.
    if (kinds && (kinds.folded.has(n.outputs[0]) || (kinds.dtype.get(n.outputs[0]) ?? 'float32') !== 'float32')) continue;
    if (names.has(n.name) || n.outputs.some((o) => names.has(o))) {
      skip('excluded by name');
      continue;
    }
    if (opTypes.has(n.opType)) {
      skip('excluded by op type');
      continue;
    }
    let actInputs: string[];
    if (WEIGHTED.has(n.opType)) {
      const [x, w] = n.inputs;
      if (!act(x)) {
        skip('input is not a float activation');
        continue;
      }
      if (constF32(w)) {
        weightInputs.set(n.name, 1);
        actInputs = [x];
      } else if (n.opType === 'MatMul' && act(w)) {
        // Activation x activation (attention's QK^T and AV): oneDNN's int8 matmul wants s8 weights
        // and our runtime runs these in FP32, so Q/DQ around them would only add quantize and
        // dequantize steps and rounding error. Kept in FP32.
        skip('both inputs are activations (attention matmul): kept in FP32');
        continue;
      } else {
        skip('weight is not a float32 initializer');
        continue;
      }
    } else if (n.opType === 'Add' || n.opType === 'Concat') {
      actInputs = n.inputs.filter(Boolean);
      if (!actInputs.every(act)) {
        skip('an input is a constant or not float');
        continue;
      }
    } else {
      if (n.outputs.filter(Boolean).length !== 1) {
        skip('MaxPool with an Indices output');
        continue;
      }
      actInputs = [n.inputs[0]];
      if (!act(actInputs[0])) {
        skip('input is not a float activation');
        continue;
      }
    }
    quantized.add(n);
    let output = n.outputs[0];
    const nodes = [n.name];
    if (FUSES_ACTIVATION.has(n.opType) && !outputs.has(output)) {
      const readers = uses.get(output) ?? [];
      const r = readers[0];
      if (readers.length === 1 && isNonNegActivation(g, r) && !names.has(r.name) && !r.outputs.some((o) => names.has(o))) {
        fusedActivation.add(r);
        output = r.outputs[0];
        nodes.push(r.name);
      }
    }
    layers.push({ node: n.name, op: n.opType, output, nodes });
  }

  // A quantized Add must feed a quantized op (or be a CNN residual into a quantized conv's sum,
  // which also feeds one): a residual Add read only by FP32 ops (LayerNorm in transformers) would
  // get Q/DQ on its inputs for nothing but rounding. Its activation (Relu) is followed.
  const quantizedReader = (t: string): boolean =>
    outputs.has(t) ? false : (uses.get(t) ?? []).some((r) => quantized.has(r) || (fusedActivation.has(r) && quantizedReader(r.outputs[0])) || (SHAPE_ONLY.has(r.opType) && quantizedReader(r.outputs[0])));
  // Until nothing changes: dropping one Add can leave the Add before it without a quantized reader.
  for (let changed = true; changed; ) {
    changed = false;
    for (const l of [...layers]) {
      if (l.op !== 'Add' || quantizedReader(l.output)) continue;
      const n = g.nodes.find((x) => x.name === l.node)!;
      quantized.delete(n);
      layers.splice(layers.indexOf(l), 1);
      for (const r of l.nodes.slice(1)) fusedActivation.delete(g.nodes.find((x) => x.name === r)!);
      excluded.push({ node: n.name, op: n.opType, reason: 'no quantized op reads its output: kept in FP32' });
      changed = true;
    }
  }

  // Activation inputs of quantized ops get Q/DQ.
  const tensorSet = new Set<string>();
  for (const n of quantized) {
    const w = weightInputs.get(n.name);
    const ins = n.opType === 'Conv' || n.opType === 'ConvTranspose' || n.opType === 'Gemm' ? [n.inputs[0]] : n.inputs.filter((t, i) => t && i !== w);
    for (const t of ins) tensorSet.add(t);
  }

  // Shape-only ops between two quantized layers: quantize their input with the same parameters so
  // the producing layer can emit int8 (ORT does the same for Reshape/Flatten/Transpose).
  const shareWith = new Map<string, string>();
  const layerOutputs = new Set(layers.map((l) => l.output));
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of [...tensorSet]) {
      if (shareWith.has(t)) continue;
      const p = prod.get(t);
      if (!p || !SHAPE_ONLY.has(p.opType) || names.has(p.name) || opTypes.has(p.opType)) continue;
      const src = p.inputs[0];
      if (!act(src) || !(layerOutputs.has(src) || tensorSet.has(src)) || outputs.has(t)) continue;
      shareWith.set(t, src);
      if (!tensorSet.has(src)) {
        tensorSet.add(src);
        grew = true;
      }
    }
  }
  for (const n of quantized) {
    if (n.opType === 'MaxPool' && tensorSet.has(n.outputs[0])) shareWith.set(n.outputs[0], n.inputs[0]);
  }

  // Sign propagation in graph order.
  const nonNegative = new Set<string>();
  for (const n of g.nodes) {
    const y = n.outputs[0];
    if (!y) continue;
    if (isNonNegActivation(g, n)) nonNegative.add(y);
    else if (KEEPS_SIGN.has(n.opType) && nonNegative.has(n.inputs[0])) nonNegative.add(y);
    else if (n.opType === 'Concat' && n.inputs.every((t) => nonNegative.has(t))) nonNegative.add(y);
  }

  const order = new Map<string, number>();
  g.inputs.forEach((v, i) => order.set(v.name, -1 - i));
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => order.set(o, i)));
  const tensors = [...tensorSet].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return { model: prepared, layers, excluded, tensors, shareWith, nonNegative, weightInputs };
}

/** The tensor whose range `t` uses (following MaxPool / shape-only sharing). */
export function rangeSource(plan: QuantPlan, t: string): string {
  let s = t;
  for (let guard = 0; plan.shareWith.has(s) && guard < 1000; guard++) s = plan.shareWith.get(s)!;
  return s;
}
