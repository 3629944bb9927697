// Shape-inference driver: fixes the model's input dims (resolving symbolic/unknown ones from the
// dims the caller gives), then walks the nodes in order through each op's `infer`, folding
// constant nodes on the way. Afterwards every value in graph.values has static dims.

import type { Dim, Graph, Model, Node } from '../ir/graph';
import { describeNode } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import { getOp, supportedOps } from '../ops/registry';
import type { InferContext, ValueType } from '../ops/op';
import { tryFoldNode } from './constant-fold';
import { SUPPORTED_OPSETS } from '../onnx/load';

export interface InferOptions {
  /** Fold nodes whose inputs are all constant (default true). */
  fold?: boolean;
  /** Nodes never folded even when their inputs are constant (the int8 mode keeps
   *  DequantizeLinear of int8 weights, which the int8 lowering needs as int8 + scales). */
  keep?: (node: Node) => boolean;
}

function fmt(dims: readonly Dim[]): string {
  return `[${dims.join(',')}]`;
}

/** Input dims for the model with every symbolic/unknown dim replaced: dim 0 by `batch`, others
 *  by 1 (static dims are kept as declared). */
export function defaultInputDims(model: Model, batch = 1): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const v of model.graph.inputs) {
    out[v.name] = (v.shape ?? []).map((d, i) => (typeof d === 'number' && d >= 0 ? d : i === 0 ? batch : 1));
  }
  return out;
}

/** Throws when the default-domain opset is newer than the ops implement (their semantics may have
 *  changed). Opsets below the tested range still run, with today's op semantics: see opsetWarning. */
export function checkOpset(model: Model): void {
  const where = model.path ? `${model.path}: ` : '';
  if (model.opset > SUPPORTED_OPSETS.max) {
    throw new Error(`${where}opset ${model.opset} is not supported (supported: ${SUPPORTED_OPSETS.min}..${SUPPORTED_OPSETS.max})`);
  }
}

/** A note for models older than the tested opset range (they run, checked against current specs). */
export function opsetWarning(model: Model): string | undefined {
  if (model.opset >= SUPPORTED_OPSETS.min) return undefined;
  return `opset ${model.opset} is older than the tested range ${SUPPORTED_OPSETS.min}..${SUPPORTED_OPSETS.max}; ops are read with their opset-${SUPPORTED_OPSETS.min}+ semantics`;
}

/** The concrete dims of each graph input: the given ones checked against the model's static dims. */
function resolveInputs(graph: Graph, inputDims: Record<string, number[]>): void {
  for (const name of Object.keys(inputDims)) {
    if (!graph.inputs.some((v) => v.name === name)) {
      throw new Error(`dims given for '${name}', which is not an input of the model (inputs: ${graph.inputs.map((v) => v.name).join(', ')})`);
    }
  }
  for (const v of graph.inputs) {
    const given = inputDims[v.name];
    const declared = v.shape;
    if (!given) {
      if (!declared || declared.some((d) => typeof d !== 'number' || d < 0)) {
        throw new Error(`input '${v.name}' has dims ${declared ? fmt(declared) : '(unknown)'}: give its dims`);
      }
      graph.values.set(v.name, { name: v.name, dtype: v.dtype, shape: [...declared] });
      continue;
    }
    if (given.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`input '${v.name}': invalid dims ${fmt(given)}`);
    if (declared) {
      if (declared.length !== given.length) {
        throw new Error(`input '${v.name}' has rank ${declared.length} ${fmt(declared)}, given dims ${fmt(given)} have rank ${given.length}`);
      }
      declared.forEach((d, i) => {
        if (typeof d === 'number' && d >= 0 && d !== given[i]) {
          throw new Error(`input '${v.name}' has dims ${fmt(declared)}; given dims ${fmt(given)} differ at axis ${i}`);
        }
      });
    }
    graph.values.set(v.name, { name: v.name, dtype: v.dtype, shape: [...given] });
  }
}

/** The error for an op no registry entry implements. */
export function unsupportedOpError(node: Node): Error {
  const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}:${node.opType}` : node.opType;
  return new Error(`node '${node.name}' (${op}): unsupported op; supported: ${supportedOps().join(', ')}`);
}

/** Runs shape inference (and constant folding) in place. */
export function inferShapes(model: Model, inputDims: Record<string, number[]>, options: InferOptions = {}): void {
  checkOpset(model);
  const graph = model.graph;
  const fold = options.fold ?? true;
  // Intermediate infos from the file may hold symbolic dims: recompute them all.
  const keep = new Set([...graph.inputs.map((v) => v.name)]);
  for (const name of [...graph.values.keys()]) if (!keep.has(name)) graph.values.delete(name);
  resolveInputs(graph, inputDims);
  for (const [name, t] of graph.initializers) graph.values.set(name, { name, dtype: t.dtype, shape: [...t.dims] });

  const typeOf = (node: Node, name: string): ValueType | undefined => {
    if (!name) return undefined;
    const v = graph.values.get(name);
    if (!v || !v.shape) throw new Error(`${describeNode(node)}: input '${name}' is not produced by an earlier node, an input or an initializer`);
    return { dtype: v.dtype, dims: v.shape as number[] };
  };

  for (let k = 0; k < graph.nodes.length; k++) {
    const node = graph.nodes[k];
    const op = getOp(node.opType, node.domain);
    if (!op) throw unsupportedOpError(node);
    const ctx: InferContext = {
      node,
      opset: model.opset,
      input: (i) => typeOf(node, node.inputs[i] ?? ''),
      constant: (i): Tensor | undefined => (node.inputs[i] ? graph.initializers.get(node.inputs[i]) : undefined),
      fail: (message) => {
        throw new Error(`${describeNode(node)}: ${message}`);
      },
    };
    let types: ValueType[];
    try {
      types = op.infer(ctx);
    } catch (e) {
      const msg = (e as Error).message;
      throw msg.startsWith('node ') ? e : new Error(`${describeNode(node)}: ${msg}`);
    }
    if (fold && !options.keep?.(node) && tryFoldNode(graph, node, op, model.opset, types)) {
      graph.nodes.splice(k, 1);
      k--;
      continue;
    }
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const t = types[i];
      if (!t) throw new Error(`${describeNode(node)}: output ${i} ('${name}') has no inferred type`);
      graph.values.set(name, { name, dtype: t.dtype, shape: [...t.dims] });
    });
  }
  for (const o of graph.outputs) {
    const v = graph.values.get(o.name);
    if (!v) throw new Error(`graph output '${o.name}' is not produced by any node`);
    o.shape = v.shape ? [...v.shape] : undefined;
    o.dtype = v.dtype;
  }
}
