// The lowering driver: walks an inferred graph, hands each node to its op's `lower` through a
// LowerContext, and collects the plan (tensors, steps, inputs, outputs). Constants become plan
// constants with bytes; graph outputs that are graph inputs or constants get a `copy` step.
// Plans are built at exact input dims (batched = false); buildBatchablePlan derives a batchable
// plan by lowering at batch 1 and 2 and comparing. Quantized values (the QDQ pass's table, plus the
// boundaries of the QuantizeLinear/DequantizeLinear nodes left) become plan tensors with `quant`;
// nodes touching them lower through lower-int8.ts.

import { formatBytes, limits, LimitError } from '../limits';
import { describeNode, type Graph, type Model, type Node } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import { prepareModel } from '../passes/optimize';
import { getOp } from '../ops/registry';
import type { LowerContext, ValueType } from '../ops/op';
import { unsupportedOpError } from '../passes/infer';
import type { Plan, PlanAttr, PlanDType, PlanTensor } from '../plan/plan';
import { halfToFloat } from '../ir/tensor';
import { isQdqNode, qdqParams, quantTable, type QuantParams } from '../passes/qdq-params';
import { isInt8Node, lowerInt8Node, type Int8Helpers } from './lower-int8';
import { planDtypeOf } from './edges';


/** The bytes of a typed array, as a view: IR tensors are never written after they are made (passes
 *  replace them), and a copy here held every weight of a model twice while it compiled. */
function bytesOf(a: Float32Array | Int8Array | Uint8Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Plan dtype and bytes of an IR constant. */
function constantPayload(t: Tensor, name: string): { dtype: PlanDType; data: Uint8Array } {
  const src = t.data as ArrayLike<number>;
  switch (t.dtype) {
    case 'float32':
      return { dtype: 'f32', data: bytesOf(t.data as Float32Array) };
    case 'float64':
      return { dtype: 'f32', data: bytesOf(Float32Array.from(src)) };
    case 'float16':
      return { dtype: 'f32', data: bytesOf(Float32Array.from(src, halfToFloat)) };
    case 'int8':
      return { dtype: 's8', data: bytesOf(t.data as Int8Array) };
    case 'uint8':
    case 'bool':
      return { dtype: 'u8', data: bytesOf(t.data as Uint8Array) };
    default: {
      // Integer constants other than 8-bit travel as s32 (indices, shapes) when they fit.
      for (let i = 0; i < src.length; i++) {
        if (src[i] < -2147483648 || src[i] > 2147483647) throw new Error(`constant '${name}': ${t.dtype} value ${src[i]} does not fit int32`);
      }
      if (t.dtype === 'string') throw new Error(`constant '${name}': string tensors are not supported`);
      return { dtype: 's32', data: bytesOf(Int32Array.from(src)) };
    }
  }
}

/** Quantization of every int8 value: the QDQ pass's table, then the values on the int8 side of
 *  the QuantizeLinear / DequantizeLinear nodes still in the graph. */
function collectQuant(graph: Graph): Map<string, QuantParams> {
  const table = new Map(quantTable(graph));
  for (const n of graph.nodes) {
    const isQ = isQdqNode(n, 'QuantizeLinear');
    if (!isQ && !isQdqNode(n, 'DequantizeLinear')) continue;
    const value = isQ ? n.outputs[0] : n.inputs[0];
    const p = qdqParams(graph, n);
    if (!p) throw new Error(`${describeNode(n)}: scale and zero point must be constants`);
    if (p.scales.length > 1 && !graph.initializers.has(value)) {
      throw new Error(`${describeNode(n)}: per-axis quantization of the computed value '${value}' is not supported (activations are per-tensor)`);
    }
    if (!table.has(value)) table.set(value, p);
  }
  return table;
}

/** Builds the plan of an inferred (and optionally fused) graph at its current static dims. */
export function lowerGraph(model: Model): Plan {
  const graph: Graph = model.graph;
  const plan: Plan = { tensors: [], steps: [], inputs: [], outputs: [] };
  const ids = new Map<string, number>();
  const produced = new Set<number>();
  const add = (t: PlanTensor): number => plan.tensors.push(t) - 1;
  const quant = collectQuant(graph);
  const quantOf = (name: string): PlanTensor['quant'] => {
    const q = quant.get(name);
    return q ? { scales: [...q.scales], zeroPoints: [...q.zeroPoints], axis: q.axis } : undefined;
  };

  const typeOf = (name: string, node?: Node): ValueType => {
    const v = graph.values.get(name);
    if (!v || !v.shape || v.shape.some((d) => typeof d !== 'number')) {
      throw new Error(`${node ? `${describeNode(node)}: ` : ''}value '${name}' has no inferred shape`);
    }
    return { dtype: v.dtype, dims: v.shape as number[] };
  };
  const tensorOf = (name: string, node?: Node): number => {
    if (!name) return -1;
    const known = ids.get(name);
    if (known !== undefined) return known;
    const c = graph.initializers.get(name);
    let id: number;
    if (c) {
      const p = constantPayload(c, name);
      id = add({ name, dtype: p.dtype, dims: [...c.dims], batched: false, data: p.data });
    } else {
      const t = typeOf(name, node);
      const dtype = planDtypeOf(t.dtype);
      if (!dtype) throw new Error(`${node ? `${describeNode(node)}: ` : ''}value '${name}' has dtype ${t.dtype}, which the runtime cannot hold`);
      id = add({ name, dtype, dims: [...t.dims], batched: false });
    }
    const q = quantOf(name);
    if (q) {
      const dt = plan.tensors[id].dtype;
      if (dt === 'f32') throw new Error(`${node ? `${describeNode(node)}: ` : ''}value '${name}' is float but has quantization parameters`);
      plan.tensors[id].quant = q;
    }
    ids.set(name, id);
    return id;
  };

  for (const v of graph.inputs) {
    const t = typeOf(v.name);
    if (!planDtypeOf(t.dtype)) throw new Error(`input '${v.name}' has dtype ${t.dtype}; supported inputs: float32, int64, int32, int8, uint8, bool`);
    plan.inputs.push(tensorOf(v.name));
  }

  for (const node of graph.nodes) {
    const op = getOp(node.opType, node.domain);
    if (!op) throw unsupportedOpError(node);
    const fail = (message: string): never => {
      throw new Error(`${describeNode(node)}: ${message}`);
    };
    if (!op.lower) {
      const computed = node.inputs.filter((i) => i && !graph.initializers.has(i));
      if (computed.length === 0) {
        // Every input was constant, so folding declined for size: say which output and how big.
        const outs = node.outputs.filter(Boolean).map((o) => graph.values.get(o)).filter((v): v is NonNullable<typeof v> => !!v);
        const what = outs.map((v) => `'${v.name}' [${(v.shape ?? []).join(', ')}] ${v.dtype}`).join(', ');
        throw new LimitError(`${describeNode(node)}: its output ${what} is too large to compute at load time (limit ${formatBytes(limits().foldBytes)} per folded tensor; raise it with --max-memory), and it has no runtime implementation`);
      }
      fail(`supported only when constant folding removes it, but input(s) ${computed.map((c) => `'${c}'`).join(', ')} are computed at runtime`);
    }
    const ctx: LowerContext = {
      node,
      opset: model.opset,
      type: (name) => typeOf(name, node),
      constant: (name) => graph.initializers.get(name),
      tensor: (name) => tensorOf(name, node),
      constTensor: (label, dims, data, dtype) =>
        add({ name: `${node.name}/${label}`, dtype: dtype ?? (data instanceof Float32Array ? 'f32' : data instanceof Int8Array ? 's8' : data instanceof Uint8Array ? 'u8' : 's32'), dims: [...dims], batched: false, data: bytesOf(data) }),
      tempTensor: (label, dims, dtype) => add({ name: `${node.name}/${label}`, dtype: dtype ?? 'f32', dims: [...dims], batched: false }),
      step: (kind, inputs, outputs, attrs, name) => {
        for (const o of outputs) {
          if (produced.has(o)) fail(`plan tensor ${o} ('${plan.tensors[o]?.name}') written twice`);
          produced.add(o);
        }
        plan.steps.push({ kind, name: name ?? node.name, nodes: node.sources ?? [node.name], inputs, outputs, attrs: attrs ?? {} });
      },
      fail,
    };
    const helpers: Int8Helpers = {
      quant: (name) => quant.get(name),
      quantTensor: (label, dims, dtype, q, data) =>
        add({ name: `${node.name}/${label}`, dtype, dims: [...dims], batched: false, ...(data ? { data: bytesOf(data) } : {}), quant: { scales: [...q.scales], zeroPoints: [...q.zeroPoints], axis: q.axis } }),
    };
    try {
      if (isInt8Node(node, helpers.quant)) lowerInt8Node(op, ctx, helpers);
      else op.lower!(ctx);
    } catch (e) {
      const msg = (e as Error).message;
      throw msg.startsWith('node ') ? e : new Error(`${describeNode(node)}: ${msg}`);
    }
  }

  for (const o of graph.outputs) {
    const id = tensorOf(o.name);
    const isInput = plan.inputs.includes(id);
    const isConst = plan.tensors[id].data !== undefined;
    if (isInput || isConst || plan.outputs.includes(id)) {
      const src = plan.tensors[id];
      const copy = add({ name: o.name, dtype: src.dtype, dims: [...src.dims], batched: false });
      plan.steps.push({ kind: 'copy', name: o.name, nodes: [], inputs: [id], outputs: [copy], attrs: {} });
      plan.outputs.push(copy);
    } else {
      if (!produced.has(id)) throw new Error(`graph output '${o.name}' is not computed by any step`);
      plan.outputs.push(id);
    }
  }
  return plan;
}

/** The whole compile for exact dims: passes, shape inference, lowering. */
export function compilePlan(model: Model, inputDims: Record<string, number[]>, fused = true, int8 = true): { plan: Plan; model: Model } {
  const prepared = prepareModel(model, inputDims, { fused, int8 }).model;
  return { plan: lowerGraph(prepared), model: prepared };
}

function sameAttr(a: PlanAttr | undefined, b: PlanAttr | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A plan whose batch-scaling tensors are marked `batched` (dims at batch 1), found by lowering at
 *  batch 1 and batch 2 (dim 0 of every input) and comparing. Throws when the plan's structure or
 *  attributes depend on the batch. */
export function buildBatchablePlan(model: Model, sampleDims: Record<string, number[]>, fused = true, int8 = true): Plan {
  const at = (b: number): Record<string, number[]> =>
    Object.fromEntries(Object.entries(sampleDims).map(([k, d]) => [k, d.length ? [b, ...d.slice(1)] : d]));
  const p1 = compilePlan(model, at(1), fused, int8).plan;
  const p2 = compilePlan(model, at(2), fused, int8).plan;
  if (p1.steps.length !== p2.steps.length || p1.tensors.length !== p2.tensors.length) {
    const i = p1.steps.findIndex((s, k) => !p2.steps[k] || p2.steps[k].kind !== s.kind);
    throw new Error(`plan depends on the batch size at step ${i < 0 ? Math.min(p1.steps.length, p2.steps.length) : i}: batch 1 gives ${p1.steps.length} steps, batch 2 gives ${p2.steps.length}`);
  }
  p1.steps.forEach((s, i) => {
    const t = p2.steps[i];
    const where = `plan depends on the batch size at step ${i} (${s.kind} '${s.name}')`;
    if (s.kind !== t.kind || s.inputs.join() !== t.inputs.join() || s.outputs.join() !== t.outputs.join()) throw new Error(`${where}: different structure`);
    for (const k of new Set([...Object.keys(s.attrs), ...Object.keys(t.attrs)])) {
      if (!sameAttr(s.attrs[k], t.attrs[k])) throw new Error(`${where}: attribute '${k}' is ${JSON.stringify(s.attrs[k])} at batch 1, ${JSON.stringify(t.attrs[k])} at batch 2`);
    }
  });
  p1.tensors.forEach((t, i) => {
    const u = p2.tensors[i];
    if (t.data || u.data) {
      if (!sameBytes(t.data, u.data) || t.dims.join() !== u.dims.join()) {
        throw new Error(`plan depends on the batch size at constant '${t.name}': its value changes with the batch`);
      }
      return;
    }
    if (t.dims.join() === u.dims.join()) return;
    if (t.dims.length === u.dims.length && t.dims.length > 0 && u.dims[0] === 2 * t.dims[0] && t.dims.slice(1).join() === u.dims.slice(1).join()) {
      t.batched = true;
      return;
    }
    throw new Error(`plan depends on the batch size at tensor '${t.name}': dims [${t.dims.join(',')}] at batch 1, [${u.dims.join(',')}] at batch 2`);
  });
  return p1;
}
