// Drives one OpDef's infer / evaluate / lower directly, without the engine or the native addon:
// a real Node with IR attributes, a table of input types/constants, and a recorder of the steps
// and plan tensors `lower` emits. Used by the op unit tests.

import type { AttrValue, Node } from '../../engine/ir/graph';
import type { Tensor } from '../../engine/ir/tensor';
import type { InferContext, LowerContext, OpDef, ValueType } from '../../engine/ops/op';
import { getOp } from '../../engine/ops/registry';
import type { PlanAttr, PlanDType } from '../../engine/plan/plan';

export type IrAttr = AttrValue;

export const I = (value: number): AttrValue => ({ type: 'int', value });
export const F = (value: number): AttrValue => ({ type: 'float', value });
export const S = (value: string): AttrValue => ({ type: 'string', value });
export const IS = (value: number[]): AttrValue => ({ type: 'ints', value });
export const FS = (value: number[]): AttrValue => ({ type: 'floats', value });

/** An input of the node: a type only, or a constant tensor. */
export type HarnessInput = ValueType | Tensor | undefined;

function isTensor(x: HarnessInput): x is Tensor {
  return !!x && 'data' in x;
}

export function makeNode(opType: string, nInputs: number, attrs: Record<string, AttrValue> = {}, nOutputs = 1): Node {
  return {
    name: `${opType.toLowerCase()}_node`,
    opType,
    domain: '',
    inputs: Array.from({ length: nInputs }, (_, i) => `in${i}`),
    outputs: Array.from({ length: nOutputs }, (_, i) => `out${i}`),
    attrs,
  };
}

function opOf(opType: string): OpDef {
  const op = getOp(opType, '');
  if (!op) throw new Error(`${opType} is not registered`);
  return op;
}

function failer(node: Node): (m: string) => never {
  return (m: string): never => {
    throw new Error(`node '${node.name}' (${node.opType}): ${m}`);
  };
}

/** Runs OpDef.infer; absent inputs are passed as undefined (and named '' on the node). */
export function infer(opType: string, inputs: HarnessInput[], attrs: Record<string, AttrValue> = {}, opset = 13, nOutputs = 1): ValueType[] {
  const node = makeNode(opType, inputs.length, attrs, nOutputs);
  inputs.forEach((x, i) => {
    if (!x) node.inputs[i] = '';
  });
  const ctx: InferContext = {
    node,
    opset,
    input: (i) => {
      const x = inputs[i];
      return x ? { dtype: x.dtype, dims: [...x.dims] } : undefined;
    },
    constant: (i) => {
      const x = inputs[i];
      return isTensor(x) ? x : undefined;
    },
    fail: failer(node),
  };
  return opOf(opType).infer(ctx);
}

export function evaluate(opType: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, opset = 13, nOutputs = 1): Tensor[] {
  const node = makeNode(opType, inputs.length, attrs, nOutputs);
  const op = opOf(opType);
  if (!op.evaluate) throw new Error(`${opType} has no evaluate`);
  return op.evaluate(node, inputs, opset);
}

export interface RecordedTensor {
  id: number;
  label: string;
  dims: number[];
  dtype: PlanDType;
  data?: ArrayLike<number>;
}

export interface RecordedStep {
  kind: string;
  inputs: number[];
  outputs: number[];
  attrs: Record<string, PlanAttr>;
  name?: string;
}

export interface Lowered {
  steps: RecordedStep[];
  tensors: RecordedTensor[];
  /** Plan id of a graph value name. */
  idOf(name: string): number;
}

/** Runs infer then lower on a node; node.postOps may be set through `mutate`. */
export function lower(opType: string, inputs: HarnessInput[], attrs: Record<string, AttrValue> = {}, opset = 13, mutate?: (node: Node, types: Map<string, ValueType>) => void, nOutputs = 1): Lowered {
  const outTypes = infer(opType, inputs, attrs, opset, nOutputs);
  const node = makeNode(opType, inputs.length, attrs, outTypes.length);
  const types = new Map<string, ValueType>();
  const consts = new Map<string, Tensor>();
  inputs.forEach((x, i) => {
    if (!x) node.inputs[i] = '';
    else {
      types.set(node.inputs[i], { dtype: x.dtype, dims: [...x.dims] });
      if (isTensor(x)) consts.set(node.inputs[i], x);
    }
  });
  outTypes.forEach((t, i) => types.set(node.outputs[i], t));
  mutate?.(node, types);
  const tensors: RecordedTensor[] = [];
  const ids = new Map<string, number>();
  const steps: RecordedStep[] = [];
  const fail = failer(node);
  const ctx: LowerContext = {
    node,
    opset,
    type: (name) => types.get(name) ?? fail(`no type for '${name}'`),
    constant: (name) => consts.get(name),
    tensor: (name) => {
      let id = ids.get(name);
      if (id === undefined) {
        const t = types.get(name) ?? fail(`no type for '${name}'`);
        id = tensors.length;
        tensors.push({ id, label: name, dims: t.dims, dtype: 'f32', data: consts.get(name)?.data as ArrayLike<number> | undefined });
        ids.set(name, id);
      }
      return id;
    },
    constTensor: (label, dims, data, dtype) => {
      tensors.push({ id: tensors.length, label, dims, dtype: dtype ?? 'f32', data });
      return tensors.length - 1;
    },
    tempTensor: (label, dims, dtype) => {
      tensors.push({ id: tensors.length, label, dims, dtype: dtype ?? 'f32' });
      return tensors.length - 1;
    },
    step: (kind, ins, outs, a, name) => {
      steps.push({ kind, inputs: ins, outputs: outs, attrs: a ?? {}, name });
    },
    fail,
  };
  const op = opOf(opType);
  if (!op.lower) throw new Error(`${opType} has no lower`);
  op.lower(ctx);
  return { steps, tensors, idOf: (name) => ids.get(name) ?? -1 };
}
