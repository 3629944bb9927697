// Builds small IR models in tests (then saved with saveModel where a file is needed).

import type { AttrValue, Model, Node } from '../../engine/ir/graph';
import { makeTensor, type DType, type Tensor } from '../../engine/ir/tensor';

export class IrBuilder {
  readonly model: Model;
  private seed = 1;

  constructor(opset = 13) {
    this.model = {
      graph: { name: 'test', nodes: [], inputs: [], outputs: [], initializers: new Map(), values: new Map() },
      opset,
      opsets: {},
      irVersion: 8,
      producerName: 'qwb-test',
      producerVersion: '0',
      metadata: {},
    };
  }

  input(name: string, shape: (number | string)[], dtype: DType = 'float32'): string {
    const v = { name, dtype, shape };
    this.model.graph.inputs.push(v);
    this.model.graph.values.set(name, v);
    return name;
  }

  output(name: string, dtype: DType = 'float32'): void {
    this.model.graph.outputs.push({ name, dtype, shape: undefined });
  }

  init(name: string, t: Tensor): string {
    this.model.graph.initializers.set(name, t);
    return name;
  }

  /** A float32 initializer of pseudo-random values in [lo, hi). */
  rand(name: string, dims: number[], lo = -1, hi = 1): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
      v[i] = lo + ((hi - lo) * this.seed) / 2147483648;
    }
    return this.init(name, makeTensor('float32', dims, v));
  }

  node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): Node {
    const n: Node = { name: name ?? `${opType}_${this.model.graph.nodes.length}`, opType, domain: '', inputs, outputs, attrs };
    this.model.graph.nodes.push(n);
    return n;
  }
}

export const ints = (value: number[]): AttrValue => ({ type: 'ints', value });
export const int = (value: number): AttrValue => ({ type: 'int', value });
export const float = (value: number): AttrValue => ({ type: 'float', value });

/** Random float32 data of n values. */
export function randomInput(n: number, seed = 7): Float32Array {
  const v = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = (2 * s) / 2147483648 - 1;
  }
  return v;
}

/** max |a - b| / max |b|. */
export function relError(a: Float32Array, b: Float32Array): number {
  let mx = 0;
  let e = 0;
  for (let i = 0; i < b.length; i++) {
    mx = Math.max(mx, Math.abs(b[i]));
    e = Math.max(e, Math.abs(a[i] - b[i]));
  }
  return e / (mx || 1);
}
